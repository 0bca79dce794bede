/**
 * Reading one cell: a CSV cell is text, a JSON value may already be a number, a boolean or a
 * list. Multi-valued CSV cells (loinc, localCodes, modalities, bodySites, procedureCodes,
 * itemCodes, groups) separate their values with `;` (a comma would end the cell). Every message
 * says what was expected and what came: `expected a whole number of days from 1 to 3650, got "7d"`.
 */
import type { LoadProblem } from './load-problem';
import type { Row, Table } from './table';

export type Cell<T> = (value: unknown) => { readonly value: T } | { readonly wrong: string };

export const LIST_SEPARATOR = ';';

export function got(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
}

export function text(what: string, options: { max?: number; pattern?: RegExp } = {}): Cell<string> {
  const { max = 500, pattern } = options;
  return (value) => {
    if (typeof value !== 'string') return { wrong: `expected ${what}, got ${got(value)}` };
    if (value.length > max)
      return { wrong: `expected ${what} of at most ${max} characters, got ${value.length}` };
    if (pattern && !pattern.test(value)) return { wrong: `expected ${what}, got ${got(value)}` };
    return { value };
  };
}

export function wholeNumber(min: number, max: number, unit: string): Cell<number> {
  const what = `a whole number of ${unit} from ${min} to ${max}`;
  return (value) => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d{1,9}$/.test(value)
          ? Number(value)
          : NaN;
    return Number.isInteger(n) && n >= min && n <= max
      ? { value: n }
      : { wrong: `expected ${what}, got ${got(value)}` };
  };
}

export const priceYuan: Cell<number> = (value) => {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,7}(\.\d{1,2})?$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 1_000_000 && Math.round(n * 100) === n * 100
    ? { value: n }
    : {
        wrong: `expected a price in yuan from 0 to 1000000 with at most 2 decimals (e.g. 12.50), got ${got(value)}`,
      };
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day `YYYY-MM-DD` that exists (no 2024-02-30). */
export function isCalendarDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export const day: Cell<string> = (value) =>
  typeof value === 'string' && isCalendarDay(value)
    ? { value }
    : { wrong: `expected a calendar day YYYY-MM-DD, got ${got(value)}` };

export function oneOf<T extends string>(values: readonly T[]): Cell<T> {
  return (value) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? { value: value as T }
      : { wrong: `expected one of ${values.join(', ')}, got ${got(value)}` };
}

export const yesNo: Cell<boolean> = (value) => {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string' && /^(true|yes|1)$/i.test(value)) return { value: true };
  if (typeof value === 'string' && /^(false|no|0)$/i.test(value)) return { value: false };
  return { wrong: `expected true or false, got ${got(value)}` };
};

/** Values separated by `;` (CSV) or a JSON list; each checked; repeats dropped. */
export function list(
  element: (v: string) => string | undefined,
  options: { max?: number } = {},
): Cell<string[]> {
  const { max = 200 } = options;
  return (value) => {
    const parts = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value
            .split(LIST_SEPARATOR)
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : undefined;
    if (!parts) return { wrong: `expected values separated by "${LIST_SEPARATOR}", got ${got(value)}` };
    if (parts.length > max) return { wrong: `at most ${max} values, got ${parts.length}` };
    const out: string[] = [];
    const wrongs: string[] = [];
    for (const p of parts) {
      if (typeof p !== 'string' || p.trim() === '') {
        wrongs.push(`expected text, got ${got(p)}`);
        continue;
      }
      const v = p.trim();
      const wrong = element(v);
      if (wrong) wrongs.push(wrong);
      else if (!out.includes(v)) out.push(v);
    }
    if (wrongs.length > 0) return { wrong: wrongs.join('; ') };
    return out.length > 0 ? { value: out } : { wrong: `expected at least one value, got ${got(value)}` };
  };
}

/** A LOINC code `nnnnn-n` whose check digit (mod 10, as LOINC computes it) is right. */
export function isLoinc(code: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  if (!m) return false;
  const digits = m[1]!;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}

/** Reads a row's cells, collecting every problem with its row and column. */
export class RowReader {
  readonly problems: LoadProblem[] = [];

  constructor(
    private readonly table: Table,
    readonly row: Row,
  ) {}

  get number(): number {
    return this.row.row;
  }

  has(column: string): boolean {
    return this.row.cells[column] !== undefined;
  }

  /** The cell's value, undefined (and a problem) when it is wrong, or when required and empty. */
  take<T>(column: string, cell: Cell<T>, required: boolean): T | undefined {
    const raw = this.row.cells[column];
    if (raw === undefined) {
      // a CSV column missing from the header is reported once, on row 1
      if (required && (!this.table.header || this.table.header.includes(column)))
        this.problem(column, 'required, empty');
      return undefined;
    }
    const read = cell(raw);
    if ('wrong' in read) {
      this.problem(column, read.wrong);
      return undefined;
    }
    return read.value;
  }

  problem(column: string | undefined, message: string): void {
    this.problems.push({ row: this.row.row, ...(column !== undefined ? { column } : {}), message });
  }
}

/** `row 9, column code: "K" is already on row 2` for every repeat of a key. */
export function duplicates(
  keyed: readonly { readonly row: number; readonly key: string | undefined }[],
  column: string,
  what = (key: string) => got(key),
): LoadProblem[] {
  const first = new Map<string, number>();
  const problems: LoadProblem[] = [];
  for (const { row, key } of keyed) {
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier !== undefined)
      problems.push({
        row,
        column,
        message: `${what(key)} is already on row ${earlier}: each may appear once in a file`,
      });
    else first.set(key, row);
  }
  return problems;
}
