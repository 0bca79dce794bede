/**
 * FHIR systems, extensions and codes of the referral resources. The ServiceRequest + Task shape
 * follows the HospitalReferral scenario of CN-Public-Health-Core-R4 where it fits: its activity
 * codes (转诊预约申请 C01001, 应答 C01002, 患者到诊 C01003) ride along as a second coding of
 * Task.businessStatus; the hub's own status code is the first.
 */
import type { fhir4 } from '@yilian/contracts';
import type { ReferralStatus } from './referral.state';

const BASE = 'https://fhir.yilian.cn';

export const REFERRAL_FHIR = {
  /** Institution codes (as in the credentials) on Organization references. */
  institutionSystem: `${BASE}/NamingSystem/institution`,
  /** The patient key on ServiceRequest.subject / Task.for: never an identifier in clear. */
  patientKeySystem: `${BASE}/NamingSystem/patient-key`,
  /** ServiceRequest extension, valueCode upward | downward (上转 / 下转). */
  directionExtension: `${BASE}/StructureDefinition/referral-direction`,
  /** Extension on a supportingInfo Reference, valueCode discharge-summary | follow-up-plan | other. */
  documentKindExtension: `${BASE}/StructureDefinition/referral-document-kind`,
  /** Task.businessStatus: requested … expired, and `acknowledged` (write only). */
  statusSystem: `${BASE}/CodeSystem/referral-status`,
  /** Task.statusReason of a rejection: the codes of REJECTION_REASONS. */
  rejectionReasonSystem: `${BASE}/CodeSystem/referral-rejection-reason`,
  /** Task.output types: schedule-kind, booked-for, priority-channel, department, arrived-at, acknowledged-at. */
  taskParameterSystem: `${BASE}/CodeSystem/referral-task-parameter`,
  cnActivitySystem: 'http://CodeSystem.hl7fhir.cn/activity-code',
  taskCodeSystem: 'http://hl7.org/fhir/CodeSystem/task-code',
} as const;

/** ServiceRequest.category of a referral: SNOMED CT 3457005 |Patient referral|. */
export const REFERRAL_CATEGORY: fhir4.Coding = {
  system: 'http://snomed.info/sct',
  code: '3457005',
  display: 'Patient referral',
};

/** Also accepted as the referral category: the CN IG's service type 03 转诊预约. */
export const CN_REFERRAL_SERVICE_TYPE: fhir4.Coding = {
  system: 'http://CodeSystem.hl7fhir.cn/service-type',
  code: '03',
  display: '转诊预约',
};

export const STATUS_DISPLAY: Readonly<Record<ReferralStatus, string>> = {
  requested: '待接诊',
  accepted: '已接诊',
  rejected: '已拒绝',
  scheduled: '已预约',
  arrived: '已到诊',
  completed: '已完成',
  cancelled: '已取消',
  expired: '已超时',
};

export const CN_ACTIVITY: Partial<Readonly<Record<ReferralStatus, fhir4.Coding>>> = {
  requested: { system: REFERRAL_FHIR.cnActivitySystem, code: 'C01001', display: '转诊预约申请' },
  accepted: { system: REFERRAL_FHIR.cnActivitySystem, code: 'C01002', display: '转诊预约申请应答' },
  rejected: { system: REFERRAL_FHIR.cnActivitySystem, code: 'C01002', display: '转诊预约申请应答' },
  arrived: { system: REFERRAL_FHIR.cnActivitySystem, code: 'C01003', display: '患者到诊' },
};

export type TaskParameter =
  'schedule-kind' | 'booked-for' | 'priority-channel' | 'department' | 'arrived-at' | 'acknowledged-at';

export function hasCoding(
  concept: fhir4.CodeableConcept | undefined,
  system: string,
  code?: string,
): boolean {
  return (concept?.coding ?? []).some((c) => c.system === system && (code === undefined || c.code === code));
}

export function codeIn(concept: fhir4.CodeableConcept | undefined, system: string): string | undefined {
  return concept?.coding?.find((c) => c.system === system)?.code;
}

/** An Organization by its institution code (a logical reference: no Organization/{id} needed). */
export function organizationReference(institution: string): fhir4.Reference {
  return {
    type: 'Organization',
    identifier: { system: REFERRAL_FHIR.institutionSystem, value: institution },
  };
}

/** The institution code of an Organization reference: its identifier in the institution system,
 * or a literal `Organization/{code}`. Anything else (Practitioner, contained, URL) is undefined. */
export function institutionOf(reference: fhir4.Reference | undefined): string | undefined {
  if (!reference) return undefined;
  const { identifier } = reference;
  if (identifier?.system === REFERRAL_FHIR.institutionSystem && identifier.value) return identifier.value;
  return /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(reference.reference ?? '')?.[1];
}

export function patientKeyReference(patientKey: string): fhir4.Reference {
  return { type: 'Patient', identifier: { system: REFERRAL_FHIR.patientKeySystem, value: patientKey } };
}
