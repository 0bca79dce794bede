export {
  patientStream,
  LINK_REASONS,
  ADMINISTRATIVE_GENDERS,
  checkPatientDemographics,
  type LinkReason,
  type AdministrativeGender,
  type PatientName,
  type PatientDemographics,
} from './patient';
export * from './patient-identifiers-linked.v1';
export * from './patient-identifiers-unlinked.v1';
export * from './patients-merged.v1';
export * from './patients-unmerged.v1';
export * from './patient-demographics-recorded.v1';
export * from './patient-event';
export * from './fhir-patient-id';
