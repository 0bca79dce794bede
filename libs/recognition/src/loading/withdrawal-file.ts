/**
 * A withdrawal → RecognitionCatalogueItemsWithdrawn: the item codes leaving a scope's catalogue
 * from a day. JSON `{"itemCodes": ["K", "NA"]}` (or a list of codes), or CSV with a `code`
 * column; effectiveFrom and source as for a publication. Each code once.
 */
import {
  checkRecognitionCatalogueItemsWithdrawnV1,
  type RecognitionCatalogueItemsWithdrawnV1,
} from '@yilian/contracts';
import { duplicates, RowReader } from './cells';
import { contractProblems } from './catalogue-file';
import { itemCodeCell, readCatalogueContext, type CatalogueContext } from './load-parameters';
import { loaded, rejected, type Loaded, type LoadProblem } from './load-problem';
import { readTable, type RuleFile, type TableSpec } from './table';

const SPEC: TableSpec = { listKey: 'itemCodes', known: ['code'], required: ['code'] };

/** The withdrawal and, for each of its codes, the file row it came from (to name a code the
 * catalogue does not have where it is). */
export interface Withdrawal {
  readonly data: RecognitionCatalogueItemsWithdrawnV1;
  readonly rows: readonly number[];
}

export function parseWithdrawalFile(file: RuleFile, context: CatalogueContext): Loaded<Withdrawal> {
  const ctx = readCatalogueContext(context);
  // JSON: a list of codes is a one-column table
  const normalised: RuleFile = 'json' in file ? { json: asCodeRows(file.json) } : file;
  const { table, problems: tableProblems } = readTable(normalised, SPEC);
  const problems: LoadProblem[] = [...ctx.problems, ...tableProblems];
  const codes: { row: number; key: string | undefined }[] = [];
  for (const row of table?.rows ?? []) {
    const r = new RowReader(table!, row);
    codes.push({ row: row.row, key: r.take('code', itemCodeCell, true) });
    problems.push(...r.problems);
  }
  problems.push(...duplicates(codes, 'code', (c) => `item code "${c}"`));
  if (problems.length > 0 || !ctx.value) return rejected(problems);
  const { scope, effectiveFrom, source } = ctx.value;
  const data: RecognitionCatalogueItemsWithdrawnV1 = {
    scope,
    effectiveFrom,
    source,
    itemCodes: codes.map((c) => c.key!),
  };
  return loaded(
    { data, rows: codes.map((c) => c.row) },
    contractProblems(checkRecognitionCatalogueItemsWithdrawnV1(data, 'data'), codes),
  );
}

function asCodeRows(json: unknown): unknown {
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null
      ? (json as Record<string, unknown>)['itemCodes']
      : undefined;
  return Array.isArray(list)
    ? list.map((c) => (typeof c === 'object' && c !== null ? c : { code: c }))
    : json;
}
