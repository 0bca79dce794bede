/**
 * An institution's code map → RecognitionCodesMapped: its own codes (a lab's local test codes,
 * a RIS's procedure codes) mapped to catalogue item codes. Columns: `code` (required), `system`
 * (optional: the code matches as `system|code`, else bare), `itemCode` (empty: unmap the code).
 * The same (system, code) may appear once per file.
 */
import { checkRecognitionCodesMappedV1, type RecognitionCodesMappedV1 } from '@yilian/contracts';
import { duplicates, RowReader, text } from './cells';
import { contractProblems } from './catalogue-file';
import { institutionCell, itemCodeCell, ParameterReader } from './load-parameters';
import { loaded, rejected, type Loaded, type LoadProblem } from './load-problem';
import { readTable, type RuleFile, type TableSpec } from './table';

const SPEC: TableSpec = { listKey: 'mappings', known: ['code', 'system', 'itemCode'], required: ['code'] };

export function parseCodeMapFile(file: RuleFile, institution: unknown): Loaded<RecognitionCodesMappedV1> {
  const params = new ParameterReader();
  const inst = params.take('institution', institution, institutionCell, true);
  const { table, problems: tableProblems } = readTable(file, SPEC);
  const problems: LoadProblem[] = [...params.problems, ...tableProblems];
  const mappings: { row: number; m: RecognitionCodesMappedV1['mappings'][number] }[] = [];
  const keys: { row: number; key: string | undefined }[] = [];
  for (const row of table?.rows ?? []) {
    const r = new RowReader(table!, row);
    const code = r.take('code', text('a code of up to 200 characters', { max: 200 }), true);
    const system = r.take('system', text('a code system of up to 500 characters', { max: 500 }), false);
    const itemCode = r.take('itemCode', itemCodeCell, false);
    keys.push({ row: row.row, key: code ? `${system ?? ''}|${code}` : undefined });
    problems.push(...r.problems);
    if (r.problems.length === 0 && code)
      mappings.push({
        row: row.row,
        m: { code, ...(system ? { system } : {}), ...(itemCode ? { itemCode } : {}) },
      });
  }
  problems.push(...duplicates(keys, 'code', (k) => `code "${k.replace(/^\|/, '')}"`));
  if (problems.length > 0 || !inst) return rejected(problems);
  const data: RecognitionCodesMappedV1 = { institution: inst, mappings: mappings.map((x) => x.m) };
  return loaded(data, contractProblems(checkRecognitionCodesMappedV1(data, 'data'), mappings));
}
