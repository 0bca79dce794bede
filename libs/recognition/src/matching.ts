/**
 * Which catalogue items a result covers — the crux of recognition, and data, not code:
 *
 * - lab: each coding of the report and of every observation is looked up as a LOINC code
 *   (`http://loinc.org`) among the items' `loinc`, as `system|code` or bare `code` among the
 *   items' `localCodes`, and in the performer's own code map (`RecognitionCodesMapped`);
 * - imaging: procedure codes the same way; and an item naming modalities matches a study of one
 *   of them whose body site (code, `system|code` or name) is one of the item's body sites.
 *
 * What matches nothing in any catalogue is reported to the operator (unmatched codes).
 */
import type { CatalogueItem } from '@yilian/contracts';
import type { ScopeCatalogue } from './rules-book';
import type { ResultCoding, ResultRecord } from './result-record';

export const LOINC_SYSTEM = 'http://loinc.org';

interface CatalogueIndex {
  readonly loinc: Map<string, string[]>;
  readonly local: Map<string, string[]>;
  readonly procedure: Map<string, string[]>;
  readonly imagingByModality: Map<string, CatalogueItem[]>;
}

const indexes = new WeakMap<ScopeCatalogue, CatalogueIndex>();

function add(map: Map<string, string[]>, key: string, code: string): void {
  const list = map.get(key);
  if (list) list.push(code);
  else map.set(key, [code]);
}

function indexOf(catalogue: ScopeCatalogue): CatalogueIndex {
  let index = indexes.get(catalogue);
  if (index) return index;
  index = { loinc: new Map(), local: new Map(), procedure: new Map(), imagingByModality: new Map() };
  for (const item of catalogue.items.values()) {
    for (const c of item.loinc ?? []) add(index.loinc, c, item.code);
    for (const c of item.localCodes ?? []) add(index.local, c, item.code);
    for (const c of item.procedureCodes ?? []) add(index.procedure, c, item.code);
    if (item.kind === 'imaging')
      for (const m of item.modalities ?? []) {
        const list = index.imagingByModality.get(m.toUpperCase()) ?? [];
        list.push(item);
        index.imagingByModality.set(m.toUpperCase(), list);
      }
  }
  indexes.set(catalogue, index);
  return index;
}

function keysOf(c: ResultCoding): string[] {
  return c.system ? [`${c.system}|${c.code}`, c.code] : [c.code];
}

/** Item codes a coding names in this catalogue. */
function lookUpCoding(
  c: ResultCoding,
  index: CatalogueIndex,
  codeMap: ReadonlyMap<string, string> | undefined,
  byCode: Map<string, string[]>,
): string[] {
  const found = new Set<string>();
  if (c.system === LOINC_SYSTEM) for (const code of index.loinc.get(c.code) ?? []) found.add(code);
  for (const key of keysOf(c)) {
    for (const code of byCode.get(key) ?? []) found.add(code);
    const mapped = codeMap?.get(key);
    if (mapped) found.add(mapped);
  }
  return [...found];
}

/** lookUpCoding per (catalogue index and kind, code map, coding): results carry the same few
 * hundred codes again and again, and a query looks each up once per shared scope. The catalogue,
 * its index and the code map of a fold are never changed, so their answers can be kept with
 * them (weakly: a new fold of the rules makes new ones). */
const codingMemo = new WeakMap<
  Map<string, string[]>,
  WeakMap<object, Map<string, Map<string, readonly string[]>>>
>();
const NO_CODE_MAP = {};
const MEMO_SYSTEMS = 1000;
const MEMO_CODES = 10_000;

function itemsForCoding(
  c: ResultCoding,
  index: CatalogueIndex,
  codeMap: ReadonlyMap<string, string> | undefined,
  byCode: Map<string, string[]>,
): readonly string[] {
  let byMap = codingMemo.get(byCode);
  if (!byMap) codingMemo.set(byCode, (byMap = new WeakMap()));
  let bySystem = byMap.get(codeMap ?? NO_CODE_MAP);
  if (!bySystem) byMap.set(codeMap ?? NO_CODE_MAP, (bySystem = new Map()));
  // no system and the system "" look the same keys up (keysOf)
  const system = c.system || '';
  let byCodeOf = bySystem.get(system);
  if (!byCodeOf) {
    if (bySystem.size >= MEMO_SYSTEMS) bySystem.clear();
    bySystem.set(system, (byCodeOf = new Map()));
  }
  let found = byCodeOf.get(c.code);
  if (found === undefined) {
    found = lookUpCoding(c, index, codeMap, byCode);
    if (byCodeOf.size >= MEMO_CODES) byCodeOf.clear();
    byCodeOf.set(c.code, found);
  }
  return found;
}

function siteMatches(item: CatalogueItem, sites: readonly ResultCoding[]): boolean {
  if (!item.bodySites || item.bodySites.length === 0) return true;
  const wanted = new Set(item.bodySites.map((s) => s.toLowerCase()));
  return sites.some(
    (s) =>
      wanted.has(s.code.toLowerCase()) ||
      (s.system !== undefined && wanted.has(`${s.system}|${s.code}`.toLowerCase())) ||
      (s.display !== undefined && wanted.has(s.display.toLowerCase())),
  );
}

/** Item code → the observations it was matched on (empty: the report or study itself). */
export function matchItems(
  record: ResultRecord,
  catalogue: ScopeCatalogue,
  codeMap: ReadonlyMap<string, string> | undefined,
): Map<string, string[]> {
  const index = indexOf(catalogue);
  const matched = new Map<string, string[]>();
  const note = (itemCode: string, observationId?: string) => {
    const item = catalogue.items.get(itemCode);
    if (!item || item.kind !== record.kind) return;
    const list = matched.get(itemCode) ?? [];
    if (observationId && !list.includes(observationId)) list.push(observationId);
    matched.set(itemCode, list);
  };
  const byCode = record.kind === 'lab' ? index.local : mergedImagingCodes(index);
  for (const line of record.lines)
    for (const c of line.codings)
      for (const code of itemsForCoding(c, index, codeMap, byCode)) note(code, line.observationId);
  if (record.imaging) {
    for (const modality of record.imaging.modalities)
      for (const item of index.imagingByModality.get(modality.toUpperCase()) ?? [])
        if (siteMatches(item, record.imaging.bodySites)) note(item.code);
  }
  return matched;
}

const merged = new WeakMap<CatalogueIndex, Map<string, string[]>>();
function mergedImagingCodes(index: CatalogueIndex): Map<string, string[]> {
  let m = merged.get(index);
  if (!m) {
    m = new Map(index.local);
    for (const [k, v] of index.procedure) m.set(k, [...(m.get(k) ?? []), ...v]);
    merged.set(index, m);
  }
  return m;
}

/** True when the coding names an item of any of these catalogues (for the unmatched report). */
export function codingMatchesAny(
  c: ResultCoding,
  kind: 'lab' | 'imaging',
  catalogues: Iterable<ScopeCatalogue>,
  codeMap: ReadonlyMap<string, string> | undefined,
): boolean {
  for (const catalogue of catalogues) {
    const index = indexOf(catalogue);
    const byCode = kind === 'lab' ? index.local : mergedImagingCodes(index);
    if (itemsForCoding(c, index, codeMap, byCode).some((code) => catalogue.items.get(code)?.kind === kind))
      return true;
  }
  return false;
}

/** What an order names (a ServiceRequest: its code's codings; for imaging, DICOM modalities and
 * body sites), for the duplicate-test alert at ordering time. */
export interface OrderedCodes {
  readonly codings: readonly ResultCoding[];
  readonly modalities?: readonly string[];
  readonly bodySites?: readonly ResultCoding[];
}

/** Item codes of this catalogue an order names: each coding as LOINC, as a lab local code or an
 * imaging procedure code (`system|code` or bare), through the ordering institution's code map;
 * and an imaging item whose modality the order names and whose body sites it matches. */
export function matchOrderItems(
  order: OrderedCodes,
  catalogue: ScopeCatalogue,
  codeMap: ReadonlyMap<string, string> | undefined,
): string[] {
  const index = indexOf(catalogue);
  const byCode = mergedImagingCodes(index);
  const found = new Set<string>();
  for (const c of order.codings)
    for (const code of itemsForCoding(c, index, codeMap, byCode))
      if (catalogue.items.has(code)) found.add(code);
  for (const modality of order.modalities ?? [])
    for (const item of index.imagingByModality.get(modality.toUpperCase()) ?? [])
      if (
        order.bodySites && order.bodySites.length > 0
          ? siteMatches(item, order.bodySites)
          : !item.bodySites?.length
      )
        found.add(item.code);
  return [...found];
}
