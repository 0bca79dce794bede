/**
 * The FHIR form of a patient key. A FHIR id is `[A-Za-z0-9\-\.]{1,64}` (R4 `id`); the hub's key is
 * `pk_` + 26 base32 characters, and an underscore is no FHIR id character: the HAPI validator
 * (and any R4 server) refuses `Patient/pk_…` as "Invalid Resource id". So at the FHIR boundary a
 * key goes out as `pk-` + the same 26 characters — one-to-one, the base32 part never holds a
 * `-` — and either form is taken in. Inside (streams, events, read models, Kafka keys) the key
 * stays `pk_…`: events already recorded keep their keys and their hashes.
 */

/** `pk_<26 base32>` wherever it stands alone in a text (not inside a longer token such as a
 * stream name `patient-pk_…`), also right after a URL-encoded `/` (`Patient%2Fpk_…`). */
const KEY_IN_TEXT = /(?<=^|[^A-Za-z0-9_.-]|%2F|%2f)pk_([a-z2-7]{26})(?![A-Za-z0-9_])/g;
/** `pk-<26 base32>` wherever it stands alone in a text, as above. */
const FHIR_ID_IN_TEXT = /(?<=^|[^A-Za-z0-9_.-]|%2F|%2f)pk-([a-z2-7]{26})(?![A-Za-z0-9_.-])/g;

/** The FHIR Patient id of a patient key (`pk_abc…` → `pk-abc…`); anything else as it is. */
export function fhirPatientId(patientKey: string): string {
  return /^pk_[a-z2-7]{26}$/.test(patientKey) ? `pk-${patientKey.slice(3)}` : patientKey;
}

/** The patient key a FHIR Patient id names (`pk-abc…` or `pk_abc…` → `pk_abc…`). */
export function patientKeyOfFhirId(id: string): string {
  return /^pk-[a-z2-7]{26}$/.test(id) ? `pk_${id.slice(3)}` : id;
}

/** Every patient key in a serialised FHIR body (JSON, NDJSON, a URL) in its FHIR form. */
export function patientKeysToFhir(text: string): string {
  return text.includes('pk_') ? text.replace(KEY_IN_TEXT, 'pk-$1') : text;
}

/** Every FHIR Patient id in a text (a request URL, a string of a body) back to its key. */
export function patientKeysFromFhir(text: string): string {
  return text.includes('pk-') ? text.replace(FHIR_ID_IN_TEXT, 'pk_$1') : text;
}
