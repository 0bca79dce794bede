/**
 * A rules file as rows: CSV (UTF-8, with or without a byte-order mark; the first row names the
 * columns) or JSON (a list of objects, or an object holding the list under `listKey`). Each row
 * keeps the number a spreadsheet user would give it: in CSV the header is row 1, so the first
 * data row is row 2 (a quoted cell spanning lines is still one row); in JSON the n-th element
 * is row n. Blank CSV rows (every cell empty) are skipped but still counted.
 */
import { parse } from 'csv-parse/sync';
import type { LoadProblem } from './load-problem';

/** A rules file as it arrives: CSV text, or a JSON value already parsed. */
export type RuleFile = { readonly csv: string } | { readonly json: unknown };

export interface Row {
  readonly row: number;
  /** Column → cell; a CSV cell is a string (empty cells left out), a JSON value as it is. */
  readonly cells: Readonly<Record<string, unknown>>;
}

export interface Table {
  readonly rows: readonly Row[];
  /** The columns of a CSV header (a required one missing is reported once, there); absent for
   * JSON, where each row names its own fields. */
  readonly header?: readonly string[];
}

const BOM = '\uFEFF';

export interface TableSpec {
  /** Where a JSON object holds the list (`items`, `statuses`, `mappings`, `itemCodes`). */
  readonly listKey: string;
  readonly known: readonly string[];
  readonly required: readonly string[];
  /** Columns that are accepted and ignored (notes for the people who keep the file). */
  readonly ignored?: readonly string[];
}

const IGNORED = ['notes', 'note', '备注'];

export function readTable(file: RuleFile, spec: TableSpec): { table?: Table; problems: LoadProblem[] } {
  return 'csv' in file ? readCsv(file.csv, spec) : readJson(file.json, spec);
}

function readCsv(text: string, spec: TableSpec): { table?: Table; problems: LoadProblem[] } {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  let records: string[][];
  try {
    records = parse(body, { relax_column_count: true, skip_empty_lines: false, bom: true });
  } catch (e) {
    const err = e as { message?: string; lines?: number; records?: number };
    const row = typeof err.records === 'number' ? err.records + 1 : undefined;
    return {
      problems: [
        {
          ...(row ? { row } : {}),
          message: `not a readable CSV file: ${String(err.message ?? e).slice(0, 300)}`,
        },
      ],
    };
  }
  const [header, ...data] = records;
  if (!header || header.every((h) => h.trim() === ''))
    return { problems: [{ row: 1, message: 'the file is empty: the first row must name the columns' }] };
  const columns = header.map((h) => h.trim());
  const problems: LoadProblem[] = [...headerProblems(columns, spec)];
  const rows: Row[] = [];
  data.forEach((record, i) => {
    const row = i + 2;
    if (record.every((c) => c.trim() === '')) return;
    if (record.length > columns.length && record.slice(columns.length).some((c) => c.trim() !== ''))
      problems.push({
        row,
        message: `${record.length} cells, but the header names ${columns.length} columns`,
      });
    const cells: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      const v = record[j]?.trim();
      if (c && v) cells[c] = v;
    });
    rows.push({ row, cells });
  });
  if (rows.length === 0) problems.push({ message: 'the file has a header but no rows' });
  return { table: { rows, header: columns }, problems };
}

function headerProblems(columns: readonly string[], spec: TableSpec): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const ignored = new Set([...IGNORED, ...(spec.ignored ?? [])]);
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c) {
      problems.push({ row: 1, message: 'a column has no name' });
      continue;
    }
    if (seen.has(c)) problems.push({ row: 1, column: c, message: 'the column appears twice' });
    seen.add(c);
    if (!spec.known.includes(c) && !ignored.has(c))
      problems.push({
        row: 1,
        column: c,
        message: `unknown column; the columns are ${spec.known.join(', ')}`,
      });
  }
  for (const r of spec.required)
    if (!seen.has(r)) problems.push({ row: 1, column: r, message: 'required column missing' });
  return problems;
}

function readJson(value: unknown, spec: TableSpec): { table?: Table; problems: LoadProblem[] } {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)[spec.listKey]
      : undefined;
  if (!Array.isArray(list))
    return {
      problems: [
        {
          column: spec.listKey,
          message: `expected a list of rows (a JSON array, or an object with "${spec.listKey}": [...])`,
        },
      ],
    };
  const problems: LoadProblem[] = [];
  const rows: Row[] = [];
  const ignored = new Set([...IGNORED, ...(spec.ignored ?? [])]);
  list.forEach((element, i) => {
    const row = i + 1;
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      problems.push({ row, message: 'expected an object' });
      return;
    }
    const cells: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(element as Record<string, unknown>)) {
      if (ignored.has(k)) continue;
      if (!spec.known.includes(k))
        problems.push({ row, column: k, message: `unknown field; the fields are ${spec.known.join(', ')}` });
      else if (v !== null && v !== undefined && v !== '') cells[k] = typeof v === 'string' ? v.trim() : v;
    }
    rows.push({ row, cells });
  });
  if (list.length === 0) problems.push({ column: spec.listKey, message: 'the list is empty' });
  return { table: { rows }, problems };
}
