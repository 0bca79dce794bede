import { checkPatientKey } from '../referrals/referral';
import { guard, institutionCode, object, type DataCheck } from '../referrals/schema';
import { allOf, distinctKeys } from './patient';

export const PATIENTS_UNMERGED = 'PatientsUnmerged';

/** A merge is reversed (ADT^A37, FHIR `$unmerge`): the merged key is no longer the
 * survivor's; its link, if it had one before the merge, applies again. Recorded in
 * `patient-{mergedKey}`. */
export interface PatientsUnmergedV1 {
  readonly survivorKey: string;
  readonly mergedKey: string;
  readonly institution: string;
}

export const checkPatientsUnmergedV1: DataCheck = allOf(
  object<PatientsUnmergedV1>({
    survivorKey: checkPatientKey,
    mergedKey: checkPatientKey,
    institution: institutionCode,
  }),
  distinctKeys('survivorKey', 'mergedKey'),
);

export const isPatientsUnmergedV1 = guard<PatientsUnmergedV1>(checkPatientsUnmergedV1);
