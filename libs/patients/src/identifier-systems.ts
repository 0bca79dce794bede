/**
 * Identifier systems (FHIR `Identifier.system`) for the patient identifiers the hub knows.
 *
 * Resident ID number: we write the OID that China's health information standards assign to
 * the 居民身份证号 in the national identifier OID tree (2.16.156.10011.1.3, as used by the
 * CN FHIR implementation guides), so that what the hub emits is understood without a mapping
 * table by regional platforms. On input we also accept our own earlier URN alias.
 *
 * MRN (病案号 / 门诊号): one system per institution, because an MRN is only unique within
 * the institution that issued it.
 */

export const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';

/** Other spellings accepted on input for the same identifier. */
export const RESIDENT_ID_SYSTEM_ALIASES: readonly string[] = [
  'urn:yilian:identifier:resident-id',
  '2.16.156.10011.1.3',
];

export function isResidentIdSystem(system: string | undefined): boolean {
  return (
    system === RESIDENT_ID_SYSTEM || (system !== undefined && RESIDENT_ID_SYSTEM_ALIASES.includes(system))
  );
}

const INSTITUTION_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MRN_SYSTEM = /^urn:yilian:institution:([A-Za-z0-9][A-Za-z0-9._-]{0,63}):mrn$/;

export function isInstitutionCode(code: string): boolean {
  return INSTITUTION_CODE.test(code);
}

/** `urn:yilian:institution:{code}:mrn` */
export function mrnSystem(institution: string): string {
  if (!isInstitutionCode(institution)) {
    throw new RangeError(`not an institution code: ${JSON.stringify(institution)}`);
  }
  return `urn:yilian:institution:${institution}:mrn`;
}

/** The institution code of an MRN system, or undefined when the system is not one. */
export function institutionOfMrnSystem(system: string | undefined): string | undefined {
  if (system === undefined) return undefined;
  return MRN_SYSTEM.exec(system)?.[1];
}
