// What the ADT mapping shares with the ORU^R01 one, from libs/hl7v2 where @yilian/hl7v2's index
// does not export it yet (the referrals slice reaches for the same): field access, and reading
// PID into identifiers, so a patient is keyed the same way whichever message names them.
// Delete this file once the index exports these.
export { repetitionCount, textComponent } from '../../../../libs/hl7v2/src/hl7-fields';
export { mapPatientIdentifiers } from '../../../../libs/hl7v2/src/patient-identifiers';
