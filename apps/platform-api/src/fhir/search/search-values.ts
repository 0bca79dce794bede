import { FhirHttpError } from '@yilian/runtime';

/** A SQL condition with its parameters; `$?` placeholders are numbered when the search is built. */
export interface Condition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const PREFIXES = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;
type Prefix = (typeof PREFIXES)[number];
const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** A FHIR date search value's implicit range [lo, hi): `2026-11` is the whole month. */
export function dateRange(value: string, name: string): { lo: Date; hi: Date } {
  const m = DATE.exec(value);
  const bad = () =>
    FhirHttpError.of(400, 'invalid', `${name}: "${value.slice(0, 40)}" is not a FHIR date or dateTime`, name);
  if (!m) throw bad();
  const [, y, mo, d, h, , s, frac, tz] = m;
  if (h !== undefined && tz === undefined) throw bad(); // a time needs its zone
  let lo: Date;
  let hi: Date;
  if (mo === undefined) {
    lo = new Date(Date.UTC(+y!, 0, 1));
    hi = new Date(Date.UTC(+y! + 1, 0, 1));
  } else if (d === undefined) {
    lo = new Date(Date.UTC(+y!, +mo - 1, 1));
    hi = new Date(Date.UTC(+y!, +mo, 1));
  } else if (h === undefined) {
    lo = new Date(Date.UTC(+y!, +mo - 1, +d));
    hi = new Date(Date.UTC(+y!, +mo - 1, +d + 1));
  } else {
    lo = new Date(value);
    const step = s === undefined ? 60_000 : frac === undefined ? 1000 : 1;
    hi = new Date(lo.getTime() + step);
  }
  if (Number.isNaN(lo.getTime())) throw bad();
  return { lo, hi };
}

/** `date=ge2026-01-01`: a condition on a timestamptz column, per FHIR's prefixes (the column
 * holds an instant, so sa/eb are gt/lt of the value's range; ap is ±10 % of the distance to now,
 * at least a day). */
export function dateCondition(column: string, raw: string, name: string, now: Date): Condition {
  const prefix = (PREFIXES as readonly string[]).includes(raw.slice(0, 2))
    ? (raw.slice(0, 2) as Prefix)
    : 'eq';
  const value = prefix === 'eq' && !raw.startsWith('eq') ? raw : raw.slice(2);
  const { lo, hi } = dateRange(value, name);
  switch (prefix) {
    case 'eq':
      return { sql: `(${column} >= $? AND ${column} < $?)`, params: [lo, hi] };
    case 'ne':
      return { sql: `(${column} < $? OR ${column} >= $?)`, params: [lo, hi] };
    case 'lt':
    case 'eb':
      return { sql: `${column} < $?`, params: [lo] };
    case 'le':
      return { sql: `${column} < $?`, params: [hi] };
    case 'gt':
    case 'sa':
      return { sql: `${column} >= $?`, params: [hi] };
    case 'ge':
      return { sql: `${column} >= $?`, params: [lo] };
    case 'ap': {
      const slack = Math.max(86_400_000, Math.abs(now.getTime() - lo.getTime()) * 0.1);
      return {
        sql: `(${column} >= $? AND ${column} < $?)`,
        params: [new Date(lo.getTime() - slack), new Date(hi.getTime() + slack)],
      };
    }
  }
}

/** A token `system|code`, `|code` (no system), `code` (any system). */
export function token(raw: string, name: string): { system?: string; code: string } {
  const bar = raw.indexOf('|');
  const code = bar >= 0 ? raw.slice(bar + 1) : raw;
  if (!code || code.length > 200)
    throw FhirHttpError.of(400, 'invalid', `${name}: a token needs a code (system|code or code)`, name);
  return bar > 0 ? { system: raw.slice(0, bar), code } : { code };
}

/** `resource->'<element>' @> …` for a token on a CodeableConcept (array or single) element. */
export function conceptCondition(
  resource: string,
  element: string,
  many: boolean,
  values: readonly string[],
  name: string,
): Condition {
  const shapes = values.map((v) => {
    const t = token(v, name);
    const coding = { ...(t.system ? { system: t.system } : {}), code: t.code };
    return JSON.stringify(many ? [{ coding: [coding] }] : { coding: [coding] });
  });
  return { sql: `${resource}->'${element}' @> ANY($?::jsonb[])`, params: [shapes] };
}

export function identifierCondition(resource: string, values: readonly string[], name: string): Condition {
  const shapes = values.map((v) => {
    const t = token(v, name);
    return JSON.stringify([{ ...(t.system ? { system: t.system } : {}), value: t.code }]);
  });
  return { sql: `${resource}->'identifier' @> ANY($?::jsonb[])`, params: [shapes] };
}
