/**
 * The kick-off parameters of a Bulk Data v2 export, from the query (GET) or a FHIR Parameters
 * resource (POST), checked against the IG's table: `_outputFormat`, `_since`, `_type` and — at
 * Patient level — `patient` are served. The IG's other parameters (`_elements`, `_typeFilter`,
 * `includeAssociatedData`, …) are refused with 400 unless the client sent
 * `Prefer: handling=lenient`, when they are ignored and named in a warning of the manifest's
 * `error` array; a parameter the IG does not define is ignored with that warning, or 400 under
 * `handling=strict`.
 */
import { FhirHttpError } from '@yilian/runtime';
import { isPatientKey } from '@yilian/patients';
import { dateRange } from '../fhir/search/search-values';

export type ExportLevel = 'system' | 'patient' | 'group';
export type Handling = 'strict' | 'lenient' | undefined;

export interface KickOffParams {
  /** `_type` values as sent (comma lists, possibly repeated); undefined: every type. */
  readonly type?: readonly string[];
  readonly since?: Date;
  /** Patient-level `patient`: hub patient keys. */
  readonly patients?: readonly string[];
  /** What was ignored and why, for the manifest's warning. */
  readonly ignored: readonly string[];
}

/** `patient` values one kick-off may name (a larger cohort: a system or Patient export without it). */
export const MAX_PATIENTS = 1000;
const FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const IG_NOT_SERVED = new Set([
  '_elements',
  '_typeFilter',
  'includeAssociatedData',
  'organizeOutputBy',
  'allowPartialManifests',
]);
/** FHIR instant, or a date (then the start of that day, as the read side's date search). */
const SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

export interface RawParam {
  readonly name: string;
  readonly value: unknown;
}

/** `Prefer: respond-async; handling=strict|lenient` → the handling asked for. */
export function handlingOf(prefer: string): Handling {
  const m = /handling\s*=\s*"?(strict|lenient)"?/i.exec(prefer);
  return m ? (m[1]!.toLowerCase() as Handling) : undefined;
}

/** GET: the query's names and values (a repeated name is one entry per value). */
export function queryParams(query: Record<string, unknown>): RawParam[] {
  return Object.entries(query).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((value: unknown) => ({ name, value })),
  );
}

/** POST: a FHIR Parameters resource; each parameter's value[x] (valueReference: its reference). */
export function parametersOf(body: unknown): RawParam[] {
  const b = body as { resourceType?: unknown; parameter?: unknown } | undefined;
  if (typeof b !== 'object' || b === null || b.resourceType !== 'Parameters')
    throw FhirHttpError.of(
      400,
      'structure',
      'a POST kick-off carries a FHIR Parameters resource',
      'Parameters',
    );
  if (b.parameter === undefined) return [];
  if (!Array.isArray(b.parameter))
    throw FhirHttpError.of(
      400,
      'structure',
      'Parameters.parameter: expected an array',
      'Parameters.parameter',
    );
  return b.parameter.map((p: unknown, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (typeof p !== 'object' || p === null || typeof (p as { name?: unknown }).name !== 'string')
      throw FhirHttpError.of(400, 'structure', `${at}: expected a parameter with a name`, at);
    const entry = p as Record<string, unknown>;
    const key = Object.keys(entry).find((k) => k.startsWith('value'));
    let value = key ? entry[key] : undefined;
    if (key === 'valueReference')
      value = (value as { reference?: unknown } | null | undefined)?.reference ?? undefined;
    if (typeof value !== 'string')
      throw FhirHttpError.of(400, 'structure', `${at}: expected a string, instant or Reference value`, at);
    return { name: entry['name'] as string, value };
  });
}

function single(params: readonly RawParam[], name: string): string | undefined {
  const found = params.filter((p) => p.name === name);
  if (found.length > 1) throw FhirHttpError.of(400, 'invalid', `${name}: at most once`, name);
  const v = found[0]?.value;
  if (v !== undefined && typeof v !== 'string')
    throw FhirHttpError.of(400, 'invalid', `${name}: expected one value`, name);
  return v;
}

export function kickOffParams(
  params: readonly RawParam[],
  level: ExportLevel,
  handling: Handling,
): KickOffParams {
  const ignored: string[] = [];
  for (const { name } of params) {
    const served =
      ['_outputFormat', '_since', '_type'].includes(name) || (name === 'patient' && level !== 'system');
    if (served) continue;
    const ig = IG_NOT_SERVED.has(name) || name === 'patient';
    if (handling === 'strict' || (ig && handling !== 'lenient'))
      throw FhirHttpError.of(
        400,
        'not-supported',
        `export parameter ${name.slice(0, 40)} is not supported${level === 'system' && name === 'patient' ? ' at system level' : ''}${ig ? ' (send Prefer: handling=lenient to have it ignored)' : ''}`,
        name.slice(0, 40),
      );
    if (!ignored.includes(name)) ignored.push(name);
  }
  const format = single(params, '_outputFormat');
  if (format !== undefined && !FORMATS.has(format))
    throw FhirHttpError.of(
      400,
      'not-supported',
      '_outputFormat: only application/fhir+ndjson (or application/ndjson, ndjson)',
      '_outputFormat',
    );
  const rawSince = single(params, '_since');
  if (rawSince !== undefined && !SINCE.test(rawSince))
    throw FhirHttpError.of(
      400,
      'invalid',
      '_since: expected a FHIR instant such as 2026-12-01T00:00:00Z',
      '_since',
    );
  const since = rawSince !== undefined ? dateRange(rawSince, '_since').lo : undefined;
  const types = params.filter((p) => p.name === '_type').map((p) => String(p.value));
  const named = params.filter((p) => p.name === 'patient');
  if (named.length > MAX_PATIENTS)
    throw FhirHttpError.of(400, 'too-costly', `patient: at most ${MAX_PATIENTS} per kick-off`, 'patient');
  const patients = named.map((p, i) => {
    const ref = String(p.value);
    const key = ref.startsWith('Patient/') ? ref.slice('Patient/'.length) : '';
    if (!isPatientKey(key))
      throw FhirHttpError.of(400, 'invalid', `patient[${i}]: expected Patient/<hub patient key>`, 'patient');
    return key;
  });
  return {
    ...(types.length > 0 ? { type: types } : {}),
    ...(since ? { since } : {}),
    ...(patients.length > 0 ? { patients } : {}),
    ignored,
  };
}
