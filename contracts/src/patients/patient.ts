/**
 * Vocabulary shared by the patient identity events (cross-institution identity): the stream
 * of a patient key, why two keys are linked, and the demographics the hub records.
 *
 * A patient key (`pk_…`, a keyed hash of one identifier) names one identifier's patient: the
 * resident ID number's, or one institution's MRN's. Identity events say which keys name the
 * same person; results stay keyed by the identifier they came with and are resolved through
 * the links when read. Identity events never carry an identifier in clear.
 */
import { isObject, oneOf, optional, text, arrayOf, type DataCheck } from '../referrals/schema';

/** `patient-{patientKey}`: the stream of the key an identity fact is about (the member of a
 * link, the merged key of a merge, the key whose demographics are recorded). */
export function patientStream(patientKey: string): string {
  return `patient-${patientKey}`;
}

/** Why a key names the same person as another: the same resident ID number came with the MRN
 * (`same-resident-id`), or a person confirmed the match (`patient-link`: FHIR Patient.link
 * `seealso`, after demographic matching). A merge has an event of its own. */
export const LINK_REASONS = ['same-resident-id', 'patient-link'] as const;
export type LinkReason = (typeof LINK_REASONS)[number];

export const ADMINISTRATIVE_GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export type AdministrativeGender = (typeof ADMINISTRATIVE_GENDERS)[number];

/** A name as FHIR HumanName, the parts needed to confirm a match only. */
export interface PatientName {
  readonly use?: string;
  readonly text?: string;
  readonly family?: string;
  readonly given?: readonly string[];
}

/** The demographics the hub records (minimum necessary, PIPL Art. 6): name, gender, birth
 * date. Never identifiers, telecom or address: those are refused by the check. */
export interface PatientDemographics {
  readonly name?: readonly PatientName[];
  readonly gender?: AdministrativeGender;
  /** FHIR date: YYYY, YYYY-MM or YYYY-MM-DD. */
  readonly birthDate?: string;
}

const DEMOGRAPHIC_KEYS: ReadonlySet<string> = new Set(['name', 'gender', 'birthDate']);
const FHIR_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

const checkName: DataCheck = (value, path) => {
  if (!isObject(value)) return [`${path}: expected a HumanName`];
  return [
    ...optional(text({ max: 20 }))(value['use'], `${path}.use`),
    ...optional(text({ max: 200 }))(value['text'], `${path}.text`),
    ...optional(text({ max: 100 }))(value['family'], `${path}.family`),
    ...optional(arrayOf(text({ max: 100 }), { max: 10 }))(value['given'], `${path}.given`),
  ];
};

export const checkPatientDemographics: DataCheck = (value, path) => {
  if (!isObject(value)) return [`${path}: expected an object`];
  const extra = Object.keys(value).filter((k) => !DEMOGRAPHIC_KEYS.has(k));
  return [
    ...extra.map((k) => `${path}.${k}: not recorded (only name, gender and birthDate are)`),
    ...optional(arrayOf(checkName, { min: 1, max: 10 }))(value['name'], `${path}.name`),
    ...optional(oneOf(ADMINISTRATIVE_GENDERS))(value['gender'], `${path}.gender`),
    ...optional(text({ max: 10, pattern: FHIR_DATE }))(value['birthDate'], `${path}.birthDate`),
  ];
};

/** The two keys of a link or merge are different keys. */
export function distinctKeys(a: string, b: string): DataCheck {
  return (value, path) =>
    isObject(value) && value[a] !== undefined && value[a] === value[b]
      ? [`${path}.${b}: must differ from ${a}`]
      : [];
}

/** Combines checks on the same value. */
export function allOf(...checks: readonly DataCheck[]): DataCheck {
  return (value, path) => checks.flatMap((check) => check(value, path));
}
