/**
 * A quality-status file (质控合格: 室间质评 passed, imaging quality checks) → QualityStatusRecorded
 * events, and QualityStatusRevoked for rows that carry `revokedFrom`. Columns:
 *
 * | column | required | what |
 * | --- | --- | --- |
 * | statusId | yes | the status's id (once per file; the same id again later replaces it) |
 * | institution | yes | the institution's code |
 * | itemCodes | one of | catalogue item codes it covers, `;`-separated |
 * | groups | one of | item groups it covers (`biochem`, `ct` …), `;`-separated |
 * | scheme | yes | `EQA` (室间质评), `imaging-qc` … |
 * | issuer | no | who assessed it (e.g. 湖北省临床检验中心) |
 * | validFrom, validUntil | yes | the days it holds, both included |
 * | revokedFrom | no | the first day it no longer holds (then revokedReason is required) |
 * | revokedReason | with revokedFrom | why |
 */
import {
  checkQualityStatusRecordedV1,
  checkQualityStatusRevokedV1,
  ITEM_CODE_PATTERN,
  type QualityStatusRecordedV1,
  type QualityStatusRevokedV1,
} from '@yilian/contracts';
import { day, duplicates, list, RowReader, text, yesNo } from './cells';
import { contractProblems } from './catalogue-file';
import { institutionCell, itemCodeCell, ParameterReader } from './load-parameters';
import { loaded, rejected, type Loaded, type LoadProblem } from './load-problem';
import { readTable, type RuleFile, type TableSpec } from './table';

export const QUALITY_COLUMNS = [
  'statusId',
  'institution',
  'itemCodes',
  'groups',
  'scheme',
  'issuer',
  'validFrom',
  'validUntil',
  'revokedFrom',
  'revokedReason',
] as const;

const SPEC: TableSpec = {
  listKey: 'statuses',
  known: QUALITY_COLUMNS,
  required: ['statusId', 'institution', 'scheme', 'validFrom', 'validUntil'],
};

export interface QualityStatuses {
  readonly recorded: readonly QualityStatusRecordedV1[];
  readonly revoked: readonly QualityStatusRevokedV1[];
}

const itemCodes = list((v) => (itemCodeCell(v) as { wrong?: string }).wrong, { max: 20_000 });
const groups = list(
  (v) => (v.length > 64 ? `group "${v.slice(0, 20)}…" is longer than 64 characters` : undefined),
  { max: 1000 },
);

export function parseQualityFile(
  file: RuleFile,
  options: { sample?: unknown } = {},
): Loaded<QualityStatuses> {
  const params = new ParameterReader();
  const sample = params.take('sample', options.sample, yesNo, false) ?? false;
  const { table, problems: tableProblems } = readTable(file, SPEC);
  const problems: LoadProblem[] = [...params.problems, ...tableProblems];
  const recorded: { row: number; data: QualityStatusRecordedV1 }[] = [];
  const revoked: { row: number; data: QualityStatusRevokedV1 }[] = [];
  const ids: { row: number; key: string | undefined }[] = [];
  for (const row of table?.rows ?? []) {
    const r = new RowReader(table!, row);
    const statusId = r.take(
      'statusId',
      text('a status id (letters, digits, . _ -; up to 64)', { max: 64, pattern: ITEM_CODE_PATTERN }),
      true,
    );
    const institution = r.take('institution', institutionCell, true);
    ids.push({ row: row.row, key: statusId && institution ? `${institution} ${statusId}` : undefined });
    const codes = r.take('itemCodes', itemCodes, false);
    const grps = r.take('groups', groups, false);
    const scheme = r.take(
      'scheme',
      text('a scheme (EQA, imaging-qc …) of up to 64 characters', { max: 64 }),
      true,
    );
    const issuer = r.take('issuer', text('an issuer of up to 200 characters', { max: 200 }), false);
    const validFrom = r.take('validFrom', day, true);
    const validUntil = r.take('validUntil', day, true);
    const revokedFrom = r.take('revokedFrom', day, false);
    const reason = r.take('revokedReason', text('a reason of up to 500 characters', { max: 500 }), false);
    if (!r.has('itemCodes') && !r.has('groups'))
      r.problem('itemCodes', 'name the items (itemCodes) or item groups (groups) the status covers');
    if (validFrom && validUntil && validUntil < validFrom)
      r.problem('validUntil', `is before validFrom (${validFrom})`);
    if (r.has('revokedFrom') && !r.has('revokedReason'))
      r.problem('revokedReason', 'required with revokedFrom');
    if (!r.has('revokedFrom') && r.has('revokedReason'))
      r.problem('revokedFrom', 'required with revokedReason');
    problems.push(...r.problems);
    if (r.problems.length > 0 || !statusId || !institution || !scheme || !validFrom || !validUntil) continue;
    recorded.push({
      row: row.row,
      data: {
        statusId,
        institution,
        ...(codes ? { itemCodes: codes } : {}),
        ...(grps ? { groups: grps } : {}),
        scheme,
        ...(issuer ? { issuer } : {}),
        validFrom,
        validUntil,
        ...(sample ? { sample: true } : {}),
      },
    });
    if (revokedFrom && reason)
      revoked.push({ row: row.row, data: { statusId, institution, revokedFrom, reason } });
  }
  problems.push(...duplicates(ids, 'statusId', (k) => `status "${k.split(' ')[1]}" of ${k.split(' ')[0]}`));
  if (problems.length > 0) return rejected(problems);
  const contract = [
    ...contractProblems(
      recorded.flatMap((x, i) => checkQualityStatusRecordedV1(x.data, `data.statuses[${i}]`)),
      recorded,
    ),
    ...contractProblems(
      revoked.flatMap((x, i) => checkQualityStatusRevokedV1(x.data, `data.revoked[${i}]`)),
      revoked,
    ),
  ];
  return loaded({ recorded: recorded.map((x) => x.data), revoked: revoked.map((x) => x.data) }, contract);
}
