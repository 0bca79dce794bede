/**
 * CE / CWE / CNE → FHIR CodeableConcept, keeping every coding sent: the primary triplet
 * (components 1-3) and the alternate one (4-6), e.g. a local LIS code and its LOINC.
 *
 * Coding systems: the well-known HL7 names become their FHIR URIs (LN → http://loinc.org …);
 * a local system (empty, `L`, `99…` or any other name) becomes a URN of the sending
 * institution, `urn:yilian:institution:{institution}:code-system:{name | local}`, because a
 * local code only means something within the institution that defined it.
 */
import type * as fhir4 from 'fhir/r4';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

const KNOWN_SYSTEMS: Readonly<Record<string, string>> = {
  LN: LOINC,
  LOINC: LOINC,
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  SNM3: 'http://snomed.info/sct',
  SNOMED: 'http://snomed.info/sct',
  UCUM: UCUM,
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
};

const HL7_TABLE = /^HL7\d{4}$/;
const LOCAL_NAMES = new Set(['', 'L', 'LOCAL', '99ZZZ']);

/** Local system URIs already built: a message names the same few systems again and again.
 * Bounded, since the names come from senders. */
const localSystems = new Map<string, string>();
const LOCAL_SYSTEMS_MAX = 4096;

export function localCodeSystem(institution: string, name = ''): string {
  const cacheKey = `${institution}\u0000${name}`;
  const cached = localSystems.get(cacheKey);
  if (cached !== undefined) return cached;
  const key = LOCAL_NAMES.has(name.toUpperCase()) ? 'local' : encodeURIComponent(name);
  const uri = `urn:yilian:institution:${institution}:code-system:${key}`;
  if (localSystems.size >= LOCAL_SYSTEMS_MAX) localSystems.clear();
  localSystems.set(cacheKey, uri);
  return uri;
}

/** The FHIR system URI for an HL7 coding system name (HL7 table 0396). */
export function codingSystemUri(hl7System: string, institution: string): string {
  const upper = hl7System.toUpperCase();
  const known = KNOWN_SYSTEMS[upper];
  if (known) return known;
  if (HL7_TABLE.test(upper)) {
    return `http://terminology.hl7.org/CodeSystem/v2-${upper.slice(3)}`;
  }
  return localCodeSystem(institution, hl7System);
}

const WHITESPACE = /\s/;
const WHITESPACE_RUNS = /\s+/g;

/** A FHIR `code` has no line breaks, tabs or double spaces: runs of white space become one
 * space (a sender's code otherwise kept as sent). */
export function asCode(text: string): string {
  return WHITESPACE.test(text) ? text.replace(WHITESPACE_RUNS, ' ').trim() : text;
}

function coding(
  code: string,
  display: string,
  system: string,
  version: string,
  institution: string,
): fhir4.Coding {
  const c: fhir4.Coding = { system: codingSystemUri(system, institution), code: asCode(code) };
  if (version) c.version = version;
  if (display) c.display = display;
  return c;
}

/** A CodeableConcept from the components of one CE/CWE repetition; undefined when empty. */
export function codeableConcept(
  components: readonly string[],
  institution: string,
): fhir4.CodeableConcept | undefined {
  const [id = '', text = '', system = '', altId = '', altText = '', altSystem = ''] = components;
  const version = components[6] ?? '';
  const altVersion = components[7] ?? '';
  const originalText = components[8] ?? '';
  const codings: fhir4.Coding[] = [];
  if (id) codings.push(coding(id, text, system, version, institution));
  if (altId && !(altId === id && altSystem === system)) {
    codings.push(coding(altId, altText, altSystem, altVersion, institution));
  }
  const label = originalText || text || altText;
  if (codings.length === 0 && !label) return undefined;
  const concept: fhir4.CodeableConcept = {};
  if (codings.length > 0) concept.coding = codings;
  if (label) concept.text = label;
  return concept;
}
