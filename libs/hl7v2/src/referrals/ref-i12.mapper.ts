/**
 * REF^I12 (patient referral) → what a RequestReferral needs, as HIS systems send it:
 *
 * | what                      | where                                                          |
 * | the sender's referral no. | RF1-6 (originating referral identifier), else RF1-11           |
 * | priority                  | RF1-2: S stat, A asap, U / 紧急 urgent, R / empty routine        |
 * | direction (optional)      | RF1-3 local codes UP / 上转, DOWN / 下转; else from the levels   |
 * | receiver, department      | PRD with PRD-1 RT: PRD-7.1, else PRD-4.4 (facility); PRD-4.1     |
 * | sender (checked)          | PRD with PRD-1 RP: must be the institution of the MLLP port    |
 * | patient                   | PID-3 (resident ID number, MRN), as for ORU^R01               |
 * | reason                    | DG1-3 (code^text^system), else DG1-4                           |
 * | results, documents        | OBR-3 (else OBR-2) = the sender's accession: DiagnosticReport |
 * |                           | of that report; OBR-4 LOINC 18842-5 discharge summary,         |
 * |                           | 18776-5 plan of treatment: documents (DocumentReference)       |
 *
 * Every problem is an Hl7Error located as ERR-2 locates it; messages never repeat an identifier.
 */
import type { Hl7Message } from '@medplum/core';
import type { fhir4, ReferralDirection, ReferralDocument, ReferralPriority } from '@yilian/contracts';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { textComponent } from '../hl7-fields';
import { mapPatientIdentifiers } from '../patient-identifiers';
import { referralNumberOf } from './ref-family.mapper';
import { mapOrders, mapProviders, mapReasons, segments, type Fail } from './ref-i12.segments';

export interface RefI12Draft {
  readonly sourceId: string;
  readonly receiver: string;
  readonly direction?: ReferralDirection;
  readonly priority: ReferralPriority;
  readonly reasonCode: fhir4.CodeableConcept[];
  readonly supportingInfo: string[];
  readonly documents: ReferralDocument[];
  readonly department?: string;
  readonly patient: { readonly residentId?: string; readonly mrn?: string };
}

export type RefI12Mapping =
  { readonly ok: true; readonly draft: RefI12Draft } | { readonly ok: false; readonly errors: Hl7Error[] };

const PRIORITIES: Readonly<Record<string, ReferralPriority>> = {
  S: 'stat',
  STAT: 'stat',
  A: 'asap',
  ASAP: 'asap',
  U: 'urgent',
  URGENT: 'urgent',
  紧急: 'urgent',
  R: 'routine',
  ROUTINE: 'routine',
  常规: 'routine',
};
const DIRECTIONS: Readonly<Record<string, ReferralDirection>> = {
  UP: 'upward',
  上转: 'upward',
  DOWN: 'downward',
  下转: 'downward',
};

export function mapRefI12(message: Hl7Message, context: { readonly institution: string }): RefI12Mapping {
  const errors: Hl7Error[] = [];
  const fail: Fail = (at, code, message) => errors.push({ ...at, code, message });
  const rf1 = segments(message, 'RF1')[0];
  if (!rf1) fail({ segment: 'RF1' }, HL7_ERROR.requiredFieldMissing, 'RF1 is missing: no referral number');
  const rf = rf1?.segment;
  const sourceId = rf ? referralNumberOf(rf) : '';
  if (rf && !sourceId) {
    const at = { segment: 'RF1', sequence: 1, field: 6 };
    fail(at, HL7_ERROR.requiredFieldMissing, 'RF1-6 (referral number) is empty');
  }
  const priorityCode = rf ? textComponent(rf, 2, 1).toUpperCase() : '';
  const priority = priorityCode === '' ? 'routine' : PRIORITIES[priorityCode];
  if (!priority) {
    const message = `RF1-2 priority ${priorityCode.slice(0, 10)} is not S, A, U or R`;
    fail({ segment: 'RF1', sequence: 1, field: 2 }, HL7_ERROR.tableValueNotFound, message);
  }
  const direction = rf ? DIRECTIONS[textComponent(rf, 3, 1).toUpperCase()] : undefined;

  const providers = mapProviders(message, context.institution, fail);
  const pid = segments(message, 'PID')[0];
  if (!pid)
    fail({ segment: 'PID' }, HL7_ERROR.requiredFieldMissing, 'PID is missing: the referral names no patient');
  const identifiers = pid ? mapPatientIdentifiers(pid, context.institution, errors) : undefined;
  const reasonCode = mapReasons(message, context.institution, fail);
  const { supportingInfo, documents } = mapOrders(message, context.institution, fail);

  if (errors.length > 0 || !providers.receiver || !priority || !identifiers) return { ok: false, errors };
  return {
    ok: true,
    draft: {
      sourceId,
      receiver: providers.receiver,
      ...(direction ? { direction } : {}),
      priority,
      reasonCode,
      supportingInfo,
      documents,
      ...(providers.department ? { department: providers.department } : {}),
      patient: {
        ...(identifiers.residentId ? { residentId: identifiers.residentId } : {}),
        ...(identifiers.mrn ? { mrn: identifiers.mrn.value } : {}),
      },
    },
  };
}
