/**
 * A recognition catalogue file (互认项目目录) → the data of one RecognitionCatalogueItemsPublished
 * for a scope, effective day and source. Columns (CSV header or JSON keys):
 *
 * | column | required | what |
 * | --- | --- | --- |
 * | code | yes | the item's code in the scope's catalogue (once per file) |
 * | name | yes | 项目名称 |
 * | kind | yes | `lab` (检验) or `imaging` (检查) |
 * | validityDays | yes | days a result stays recognisable, its own day being day 1 (1–3650) |
 * | priceYuan | no | price in yuan (for money saved) |
 * | group | no | the group a quality status may name (`biochem`, `ct` …) |
 * | loinc | lab | LOINC codes, `;`-separated, check digit verified |
 * | localCodes | lab/imaging | other codes, `system\|code` or bare, `;`-separated |
 * | modalities | imaging | DICOM modality codes (CT, MR, DX, CR, US …), `;`-separated |
 * | bodySites | imaging | body sites (SNOMED CT code, `system\|code` or name), `;`-separated |
 * | procedureCodes | imaging | procedure codes, `system\|code` or bare, `;`-separated |
 *
 * A lab item needs a LOINC or a local code; an imaging item modalities, a procedure code or a
 * local code. A `notes` column is ignored.
 */
import {
  checkRecognitionCatalogueItemsPublishedV1,
  RESULT_KINDS,
  type CatalogueItem,
  type RecognitionCatalogueItemsPublishedV1,
} from '@yilian/contracts';
import { duplicates, isLoinc, list, oneOf, priceYuan, RowReader, text, wholeNumber } from './cells';
import { itemCodeCell, readCatalogueContext, type CatalogueContext } from './load-parameters';
import { loaded, rejected, type Loaded, type LoadProblem } from './load-problem';
import { readTable, type RuleFile, type TableSpec } from './table';

/** DICOM acquisition modalities (PS3.16 CID 29 and the usual others). */
export const DICOM_MODALITIES: readonly string[] = [
  'CT',
  'MR',
  'DX',
  'CR',
  'US',
  'MG',
  'NM',
  'PT',
  'XA',
  'RF',
  'RG',
  'IO',
  'PX',
  'ES',
  'OP',
  'OCT',
  'XC',
  'BMD',
  'ECG',
  'EPS',
  'HD',
  'IVUS',
  'IVOCT',
  'SM',
  'GM',
  'OPT',
  'DOC',
];

export const CATALOGUE_COLUMNS = [
  'code',
  'name',
  'kind',
  'validityDays',
  'priceYuan',
  'group',
  'loinc',
  'localCodes',
  'modalities',
  'bodySites',
  'procedureCodes',
] as const;

const SPEC: TableSpec = {
  listKey: 'items',
  known: CATALOGUE_COLUMNS,
  required: ['code', 'name', 'kind', 'validityDays'],
};

const codeText = (v: string) =>
  v.length > 200 ? `"${v.slice(0, 20)}…" is longer than 200 characters` : undefined;
const loincCodes = list((v) =>
  isLoinc(v) ? undefined : `"${v}" is not a LOINC code (digits, "-", its check digit)`,
);
const otherCodes = list(codeText);
const modalities = list((v) =>
  DICOM_MODALITIES.includes(v.toUpperCase())
    ? undefined
    : `"${v}" is not a DICOM modality (${DICOM_MODALITIES.slice(0, 6).join(', ')} …)`,
);

export function parseCatalogueFile(
  file: RuleFile,
  context: CatalogueContext,
): Loaded<RecognitionCatalogueItemsPublishedV1> {
  const ctx = readCatalogueContext(context);
  const { table, problems: tableProblems } = readTable(file, SPEC);
  const problems: LoadProblem[] = [...ctx.problems, ...tableProblems];
  const items: { row: number; item: CatalogueItem }[] = [];
  const codes: { row: number; key: string | undefined }[] = [];
  for (const row of table?.rows ?? []) {
    const r = new RowReader(table!, row);
    const code = r.take('code', itemCodeCell, true);
    codes.push({ row: row.row, key: code });
    const name = r.take('name', text('a name of up to 200 characters', { max: 200 }), true);
    const kind = r.take('kind', oneOf(RESULT_KINDS), true);
    const validityDays = r.take('validityDays', wholeNumber(1, 3650, 'days'), true);
    const price = r.take('priceYuan', priceYuan, false);
    const group = r.take('group', text('a group name of up to 64 characters', { max: 64 }), false);
    const loinc = r.take('loinc', loincCodes, false);
    const localCodes = r.take('localCodes', otherCodes, false);
    const mods = r.take('modalities', modalities, false)?.map((m) => m.toUpperCase());
    const bodySites = r.take('bodySites', otherCodes, false);
    const procedureCodes = r.take('procedureCodes', otherCodes, false);
    if (kind === 'lab') {
      if (!r.has('loinc') && !r.has('localCodes'))
        r.problem('loinc', 'a lab item needs a LOINC code (or localCodes) to be matched');
      for (const c of ['modalities', 'bodySites', 'procedureCodes'])
        if (r.has(c)) r.problem(c, 'only for imaging items (kind imaging)');
    }
    if (kind === 'imaging') {
      if (!r.has('modalities') && !r.has('procedureCodes') && !r.has('localCodes'))
        r.problem(
          'modalities',
          'an imaging item needs modalities (or procedureCodes / localCodes) to be matched',
        );
      if (r.has('loinc')) r.problem('loinc', 'only for lab items; put imaging codes in procedureCodes');
      if (r.has('bodySites') && !r.has('modalities'))
        r.problem('bodySites', 'body sites are matched with modalities: give modalities too');
    }
    problems.push(...r.problems);
    if (r.problems.length === 0 && code && name && kind && validityDays)
      items.push({
        row: row.row,
        item: {
          code,
          name,
          kind,
          validityDays,
          ...(price !== undefined ? { priceYuan: price } : {}),
          ...(group !== undefined ? { group } : {}),
          ...(loinc ? { loinc } : {}),
          ...(localCodes ? { localCodes } : {}),
          ...(mods ? { modalities: mods } : {}),
          ...(bodySites ? { bodySites } : {}),
          ...(procedureCodes ? { procedureCodes } : {}),
        },
      });
  }
  problems.push(...duplicates(codes, 'code', (c) => `item code "${c}"`));
  if (items.length > 20_000)
    problems.push({ message: `at most 20000 items in one file, got ${items.length}` });
  if (problems.length > 0 || !ctx.value) return rejected(problems);
  const data: RecognitionCatalogueItemsPublishedV1 = {
    scope: ctx.value.scope,
    effectiveFrom: ctx.value.effectiveFrom,
    source: ctx.value.source,
    items: items.map((i) => i.item),
    ...(ctx.value.sample ? { sample: true } : {}),
  };
  return loaded(data, contractProblems(checkRecognitionCatalogueItemsPublishedV1(data, 'data'), items));
}

/** The contract's own check, as a last guard; its paths (`data.items[3].name`) named as rows. */
export function contractProblems(found: readonly string[], rows: readonly { row: number }[]): LoadProblem[] {
  return found.map((p) => {
    const m = /^data\.\w+\[(\d+)\]\.?(\w*)[^:]*: (.*)$/.exec(p);
    const row = m ? rows[Number(m[1])]?.row : undefined;
    return row !== undefined ? { row, ...(m![2] ? { column: m![2] } : {}), message: m![3]! } : { message: p };
  });
}
