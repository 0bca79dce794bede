import { FhirHttpError } from '@yilian/runtime';

export interface SearchQuery {
  readonly patientKey?: string;
  readonly codes: string[];
  readonly count: number;
  readonly offset: number;
}

const PATIENT_KEY = /^[A-Za-z0-9_-]{8,64}$/;

/** FHIR search parameters we support on results: patient (or subject), code, _count, _offset.
 * The patient is the hub patient key (`Patient/pk_…`), never an identifier in the URL. */
export function parseSearch(query: Record<string, unknown>, resourceType: string): SearchQuery {
  const known = new Set(['patient', 'subject', 'code', '_count', '_offset', '_format']);
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      throw FhirHttpError.of(
        400,
        'not-supported',
        `search parameter "${name}" is not supported on ${resourceType}`,
        name,
      );
    }
  }
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (Array.isArray(v))
      throw FhirHttpError.of(400, 'invalid', `search parameter "${name}" given more than once`, name);
    return typeof v === 'string' ? v : undefined;
  };
  const patientRaw = one('patient') ?? one('subject');
  let patientKey: string | undefined;
  if (patientRaw !== undefined) {
    patientKey = patientRaw.replace(/^Patient\//, '');
    if (!PATIENT_KEY.test(patientKey)) {
      throw FhirHttpError.of(
        400,
        'invalid',
        'patient must be a hub patient reference (Patient/<patient key>)',
        'patient',
      );
    }
  }
  const codes = (one('code') ?? '').split(',').filter(Boolean);
  const count = intParam(one('_count'), 50, 1, 500, '_count');
  const offset = intParam(one('_offset'), 0, 0, 1_000_000, '_offset');
  if (!patientKey) {
    throw FhirHttpError.of(
      400,
      'required',
      `${resourceType} search needs a patient (patient=Patient/<patient key>)`,
      'patient',
    );
  }
  return { patientKey, codes, count, offset };
}

function intParam(raw: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw FhirHttpError.of(400, 'invalid', `${name} must be an integer between ${min} and ${max}`, name);
  }
  return n;
}
