// What the REF^I12 mapping shares with the ORU^R01 one, from libs/hl7v2 where @yilian/hl7v2's
// index does not export it yet: field access, and reading PID into identifiers, so a patient
// is keyed the same way whichever message type names them.
export {
  componentsOf,
  fieldOf,
  repetitionCount,
  textComponent,
  textSubcomponent,
} from '../../../hl7v2/src/hl7-fields';
export { mapPatientIdentifiers } from '../../../hl7v2/src/patient-identifiers';
export type { SegmentRef } from '../../../hl7v2/src/oru-r01.groups';
