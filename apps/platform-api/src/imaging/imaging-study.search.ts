import { FhirHttpError } from '@yilian/runtime';
import type { ImagingStudySearch } from './imaging-read.repository';

const KNOWN = new Set(['patient', 'subject', 'modality', '_count', '_offset', '_format']);
const PATIENT_KEY = /^[A-Za-z0-9_-]{8,64}$/;
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

function one(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v))
    throw FhirHttpError.of(400, 'invalid', `search parameter "${name}" given more than once`, name);
  return typeof v === 'string' ? v : undefined;
}

function intParam(raw: string | undefined, fallback: number, max: number, name: string, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  throw FhirHttpError.of(400, 'invalid', `${name} must be an integer between ${min} and ${max}`, name);
}

/** `GET /fhir/ImagingStudy`: patient (the hub patient key, required), modality (`CT`, or
 * `http://dicom.nema.org/resources/ontology/DCM|CT`; comma = any of), _count, _offset. */
export function parseImagingStudySearch(query: Record<string, unknown>): ImagingStudySearch {
  for (const name of Object.keys(query)) {
    if (!KNOWN.has(name)) {
      throw FhirHttpError.of(
        400,
        'not-supported',
        `search parameter "${name}" is not supported on ImagingStudy`,
        name,
      );
    }
  }
  const patientKey = (one(query, 'patient') ?? one(query, 'subject'))?.replace(/^Patient\//, '');
  if (!patientKey || !PATIENT_KEY.test(patientKey)) {
    const message = 'ImagingStudy search needs a patient: patient=Patient/<patient key>';
    throw FhirHttpError.of(400, patientKey ? 'invalid' : 'required', message, 'patient');
  }
  const modalities = (one(query, 'modality') ?? '')
    .split(',')
    .filter(Boolean)
    .map((token) => {
      const bar = token.indexOf('|');
      if (bar >= 0 && token.slice(0, bar) !== DCM && token.slice(0, bar) !== '') {
        throw FhirHttpError.of(400, 'not-supported', `modality is searched in ${DCM}`, 'modality');
      }
      return token.slice(bar + 1).toUpperCase();
    });
  return {
    patientKey,
    modalities,
    count: intParam(one(query, '_count'), 50, 500, '_count', 1),
    offset: intParam(one(query, '_offset'), 0, 1_000_000, '_offset'),
  };
}
