import { MAX_REFERRAL_RESPONSE_HOURS } from '../alliance/alliance';
import type { fhir4 } from '../fhir';
import {
  arrayOf,
  guard,
  id,
  instant,
  institutionCode,
  integer,
  object,
  oneOf,
  optional,
  resource,
  text,
  type DataCheck,
} from './schema';
import {
  checkPatientKey,
  checkReasonCodes,
  checkReferralDocument,
  checkResultReference,
  REFERRAL_DIRECTIONS,
  REFERRAL_PRIORITIES,
  type ReasonCode,
  type ReferralDirection,
  type ReferralDocument,
  type ReferralPriority,
} from './referral';

export const REFERRAL_REQUESTED = 'ReferralRequested';

/** The sender asked the receiver to take the patient on (转诊申请). Institutions are codes from
 * the credential; the patient is a keyed hash; results go by reference, never copied. */
export interface ReferralRequestedV1 {
  readonly referralId: string;
  readonly direction: ReferralDirection;
  readonly sender: string;
  readonly receiver: string;
  /** The alliance both belong to; its response time set the deadline. */
  readonly allianceId: string;
  readonly patientKey: string;
  readonly priority: ReferralPriority;
  readonly reasonCode: readonly ReasonCode[];
  /** Results sent with the referral: `DiagnosticReport/{id}`, `ImagingStudy/{id}`, stream names. */
  readonly supportingInfo: readonly string[];
  /** Discharge summary, follow-up plan (both required downward) and other documents. */
  readonly documents: readonly ReferralDocument[];
  /** The receiving department asked for, as the sender named it. */
  readonly department?: string;
  readonly requestedAt: string;
  /** The alliance's configured response time when the referral was requested. */
  readonly responseHours: number;
  /** requestedAt + responseHours: unanswered by then, the referral expires. */
  readonly deadline: string;
  /** The FHIR ServiceRequest as the sender sent it, when it came over FHIR. */
  readonly serviceRequest?: fhir4.ServiceRequest;
}

export const checkReferralRequestedV1: DataCheck = object<ReferralRequestedV1>({
  referralId: id,
  direction: oneOf(REFERRAL_DIRECTIONS),
  sender: institutionCode,
  receiver: institutionCode,
  allianceId: id,
  patientKey: checkPatientKey,
  priority: oneOf(REFERRAL_PRIORITIES),
  reasonCode: checkReasonCodes,
  supportingInfo: arrayOf(checkResultReference, { max: 200 }),
  documents: arrayOf(checkReferralDocument, { max: 50 }),
  department: optional(text({ max: 100 })),
  requestedAt: instant,
  responseHours: integer(1, MAX_REFERRAL_RESPONSE_HOURS),
  deadline: instant,
  serviceRequest: optional(resource('ServiceRequest')),
});

export const isReferralRequestedV1 = guard<ReferralRequestedV1>(checkReferralRequestedV1);
