import { FhirHttpError } from '@yilian/runtime';
import { CONTROL_PARAMS, type SearchTable } from './search-tables';
import { type Condition, conceptCondition, dateCondition, identifierCondition, token } from './search-values';

/** A hub patient key, in either form (`pk_…` inside, `pk-…` as a FHIR id). */
export const PATIENT_KEY = /^[A-Za-z0-9_-]{8,64}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A parsed FHIR search: conditions (the patient apart: it widens to the person's linked keys),
 * the page and what was ignored. */
export interface ParsedSearch {
  readonly patientKey?: string;
  readonly conditions: readonly Condition[];
  readonly count: number;
  readonly cursor?: { readonly sort: string; readonly id: string };
  readonly includes: readonly string[];
  /** `_summary=count`: the total alone, no entries. */
  readonly summaryCount: boolean;
  /** Parameters ignored (unknown here), for the warning OperationOutcome. */
  readonly ignored: readonly string[];
  /** The parameters that were used, for the self and next links. */
  readonly used: ReadonlyArray<[string, string]>;
}

/** Parses `GET /fhir/<type>?…` (FHIR R4 search). Unknown parameters are ignored with a warning,
 * or refused (400) when `strict` (`Prefer: handling=strict`). Repeating a parameter ANDs it;
 * commas OR the values. */
export function parseFhirSearch(
  table: SearchTable,
  query: Record<string, unknown>,
  opts: { strict: boolean; now: Date },
): ParsedSearch {
  const conditions: Condition[] = [];
  const ignored: string[] = [];
  const used: [string, string][] = [];
  const includes: string[] = [];
  let patientKey: string | undefined;
  let count = 50;
  let cursor: ParsedSearch['cursor'];
  let summaryCount = false;
  for (const [name, raw] of Object.entries(query)) {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    const spec = table.params[name.split(':')[0]!];
    if (!spec && !(CONTROL_PARAMS as readonly string[]).includes(name)) {
      if (opts.strict)
        throw FhirHttpError.of(
          400,
          'not-supported',
          `search parameter "${name}" is not supported on ${table.type}`,
          name,
        );
      ignored.push(name);
      continue;
    }
    for (const value of values) {
      used.push([name, value]);
      if (name === '_format') continue;
      if (name === '_count') count = intParam(value, 1, 1000, name);
      else if (name === '_cursor') cursor = decodeCursor(value);
      else if (name === '_summary') {
        if (value === 'count') summaryCount = true;
        else if (value !== 'false') {
          if (opts.strict)
            throw FhirHttpError.of(
              400,
              'not-supported',
              `_summary=${value.slice(0, 20)} is not supported (count, false)`,
              '_summary',
            );
          ignored.push(`_summary=${value.slice(0, 20)}`);
        }
      } else if (name === '_total') {
        // the first page always carries an accurate total; none / estimate ask for less
        if (!['none', 'estimate', 'accurate'].includes(value))
          throw FhirHttpError.of(400, 'invalid', '_total must be none, estimate or accurate', '_total');
      } else if (name === '_include') {
        if (!table.includes?.[value]) {
          const known = Object.keys(table.includes ?? {}).join(', ') || 'none';
          if (opts.strict)
            throw FhirHttpError.of(
              400,
              'not-supported',
              `_include=${value} is not supported on ${table.type} (${known})`,
              '_include',
            );
          ignored.push(`_include=${value}`);
        } else includes.push(value);
      } else if (spec?.kind === 'patient') {
        const key = value.replace(/^Patient\//, '');
        if (!PATIENT_KEY.test(key) || value.includes(','))
          throw FhirHttpError.of(
            400,
            'invalid',
            `${name} must be one hub patient reference (Patient/<patient key>)`,
            name,
          );
        if (patientKey && patientKey !== key) conditions.push({ sql: 'false', params: [] });
        patientKey = key;
      } else if (spec) conditions.push(condition(table, name, spec, value, opts.now));
    }
  }
  return {
    ...(patientKey ? { patientKey } : {}),
    conditions,
    count,
    ...(cursor ? { cursor } : {}),
    includes,
    summaryCount,
    ignored,
    used,
  };
}

function condition(
  table: SearchTable,
  name: string,
  spec: NonNullable<SearchTable['params'][string]>,
  value: string,
  now: Date,
): Condition {
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (list.length === 0) throw FhirHttpError.of(400, 'invalid', `search parameter "${name}" is empty`, name);
  switch (spec.kind) {
    case 'patient':
      throw new Error('patient is handled apart');
    case 'id':
      for (const id of list)
        if (!FHIR_ID.test(id))
          throw FhirHttpError.of(400, 'invalid', `_id: "${id.slice(0, 70)}" is not a FHIR id`, name);
      return { sql: `${table.id} = ANY($?::text[])`, params: [list] };
    case 'date': {
      const ors = list.map((v) => dateCondition(spec.column, v, name, now));
      return { sql: `(${ors.map((c) => c.sql).join(' OR ')})`, params: ors.flatMap((c) => c.params) };
    }
    case 'text-column': {
      const bare = list.map((v) =>
        spec.ref ? v.replace(new RegExp(`^${spec.ref}/`), '') : token(v, name).code,
      );
      return { sql: `${spec.column} = ANY($?::text[])`, params: [bare] };
    }
    case 'tokens-column': {
      const tokens = list.map((v) => {
        const t = token(v, name);
        const code = spec.upper ? t.code.toUpperCase() : t.code;
        return spec.upper ? code : t.system ? `${t.system}|${code}` : code;
      });
      return { sql: `${spec.column} && $?::text[]`, params: [tokens] };
    }
    case 'concept':
      return conceptCondition(table.resource, spec.element, spec.many, list, name);
    case 'identifier':
      return identifierCondition(table.resource, list, name);
  }
}

export function encodeCursor(sort: string, id: string): string {
  return Buffer.from(JSON.stringify([sort, id]), 'utf8').toString('base64url');
}

function decodeCursor(raw: string): { sort: string; id: string } {
  try {
    const [sort, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof sort === 'string' && typeof id === 'string') return { sort, id };
  } catch {
    // falls through to the 400
  }
  throw FhirHttpError.of(
    400,
    'invalid',
    '_cursor is not one this server gave out (follow the next link)',
    '_cursor',
  );
}

function intParam(raw: string, min: number, max: number, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw FhirHttpError.of(400, 'invalid', `${name} must be an integer between ${min} and ${max}`, name);
  return n;
}
