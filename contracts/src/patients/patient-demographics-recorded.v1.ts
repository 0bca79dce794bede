import { checkPatientKey } from '../referrals/referral';
import { guard, institutionCode, object, type DataCheck } from '../referrals/schema';
import { checkPatientDemographics, type PatientDemographics } from './patient';

export const PATIENT_DEMOGRAPHICS_RECORDED = 'PatientDemographicsRecorded';

/** What an institution's registration says about the patient now (ADT^A01/A04/A08, FHIR
 * `POST /fhir/Patient`): name, gender, birth date — never an identifier, a phone number or an
 * address. Recorded in `patient-{patientKey}`. The name is personal information: it stays in
 * the event (the protected record), never in a key, URL, log line or Kafka key. */
export interface PatientDemographicsRecordedV1 {
  readonly patientKey: string;
  readonly institution: string;
  readonly demographics: PatientDemographics;
}

export const checkPatientDemographicsRecordedV1: DataCheck = object<PatientDemographicsRecordedV1>({
  patientKey: checkPatientKey,
  institution: institutionCode,
  demographics: checkPatientDemographics,
});

export const isPatientDemographicsRecordedV1 = guard<PatientDemographicsRecordedV1>(
  checkPatientDemographicsRecordedV1,
);
