import { checkPatientKey } from '../referrals/referral';
import { guard, institutionCode, object, type DataCheck } from '../referrals/schema';
import { allOf, distinctKeys } from './patient';

export const PATIENTS_MERGED = 'PatientsMerged';

/** The institution merged a duplicate record into the surviving one (ADT^A40, FHIR
 * Patient.link `replaced-by` / `replaces`, `$merge`). Recorded in `patient-{mergedKey}`; while
 * it stands it takes precedence over any link of the merged key. No prior MRN in clear: the
 * merged key is the prior MRN's key. */
export interface PatientsMergedV1 {
  readonly survivorKey: string;
  readonly mergedKey: string;
  readonly institution: string;
}

export const checkPatientsMergedV1: DataCheck = allOf(
  object<PatientsMergedV1>({
    survivorKey: checkPatientKey,
    mergedKey: checkPatientKey,
    institution: institutionCode,
  }),
  distinctKeys('survivorKey', 'mergedKey'),
);

export const isPatientsMergedV1 = guard<PatientsMergedV1>(checkPatientsMergedV1);
