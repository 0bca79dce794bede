import { checkPatientKey } from '../referrals/referral';
import { guard, institutionCode, object, type DataCheck } from '../referrals/schema';
import { allOf, distinctKeys } from './patient';

export const PATIENT_IDENTIFIERS_UNLINKED = 'PatientIdentifiersUnlinked';

/** The link of `memberKey` to `patientKey` is withdrawn (ADT^A37, FHIR `$unmerge`): the
 * member is its own patient again. Recorded in `patient-{memberKey}`. */
export interface PatientIdentifiersUnlinkedV1 {
  readonly memberKey: string;
  readonly patientKey: string;
  readonly institution: string;
}

export const checkPatientIdentifiersUnlinkedV1: DataCheck = allOf(
  object<PatientIdentifiersUnlinkedV1>({
    memberKey: checkPatientKey,
    patientKey: checkPatientKey,
    institution: institutionCode,
  }),
  distinctKeys('memberKey', 'patientKey'),
);

export const isPatientIdentifiersUnlinkedV1 = guard<PatientIdentifiersUnlinkedV1>(
  checkPatientIdentifiersUnlinkedV1,
);
