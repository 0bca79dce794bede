import { checkPatientKey } from '../referrals/referral';
import { guard, institutionCode, object, oneOf, type DataCheck } from '../referrals/schema';
import { allOf, distinctKeys, LINK_REASONS, type LinkReason } from './patient';

export const PATIENT_IDENTIFIERS_LINKED = 'PatientIdentifiersLinked';

/** `memberKey` (an MRN's key) names the same person as `patientKey` (the resident ID number's
 * key, or another record's). Recorded in `patient-{memberKey}`: a key is linked to one
 * patient at a time. Read side: results keyed by the member are the patient's results. */
export interface PatientIdentifiersLinkedV1 {
  readonly memberKey: string;
  readonly patientKey: string;
  /** Who said so: the institution whose message carried both identifiers, or confirmed. */
  readonly institution: string;
  readonly reason: LinkReason;
}

export const checkPatientIdentifiersLinkedV1: DataCheck = allOf(
  object<PatientIdentifiersLinkedV1>({
    memberKey: checkPatientKey,
    patientKey: checkPatientKey,
    institution: institutionCode,
    reason: oneOf(LINK_REASONS),
  }),
  distinctKeys('memberKey', 'patientKey'),
);

export const isPatientIdentifiersLinkedV1 = guard<PatientIdentifiersLinkedV1>(
  checkPatientIdentifiersLinkedV1,
);
