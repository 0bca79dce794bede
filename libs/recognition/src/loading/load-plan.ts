/**
 * What loading a file changes, decided against what the rule streams already hold — so the
 * same file loaded twice records nothing the second time, and a file with one amended row
 * records that row only. Pure: history in, events to append out.
 */
import {
  canonicalJson,
  QUALITY_STATUS_RECORDED,
  QUALITY_STATUS_REVOKED,
  RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
  RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN,
  RECOGNITION_CODES_MAPPED,
  RECOGNITION_SCOPE_DEFINED,
  type CatalogueItem,
  type QualityStatusRecordedV1,
  type QualityStatusRevokedV1,
  type RecognitionCatalogueItemsPublishedV1,
  type RecognitionCatalogueItemsWithdrawnV1,
  type RecognitionCodesMappedV1,
  type RecognitionScopeDefinedV1,
} from '@yilian/contracts';
import type { LoadProblem } from './load-problem';

/** A stream's events as the plans read them. */
export type History = readonly { readonly type: string; readonly data: unknown }[];

export interface PlannedEvent {
  readonly type: string;
  readonly data: unknown;
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

export interface CataloguePlan {
  readonly events: readonly PlannedEvent[];
  /** Codes new to the scope's catalogue. */
  readonly published: readonly string[];
  /** Codes the catalogue already had, restated with other content (or again after a withdrawal). */
  readonly amended: readonly string[];
  /** Codes already recorded exactly so for this effective day and source. */
  readonly unchanged: readonly string[];
}

/** Per item code, the last thing recorded for it with this effective day. */
function lastAt(
  history: History,
  effectiveFrom: string,
): Map<string, { item?: CatalogueItem; source: string; sample: boolean }> {
  const last = new Map<string, { item?: CatalogueItem; source: string; sample: boolean }>();
  for (const e of history) {
    if (e.type === RECOGNITION_CATALOGUE_ITEMS_PUBLISHED) {
      const d = e.data as RecognitionCatalogueItemsPublishedV1;
      if (d.effectiveFrom === effectiveFrom)
        for (const item of d.items)
          last.set(item.code, { item, source: d.source, sample: d.sample === true });
    } else if (e.type === RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN) {
      const d = e.data as RecognitionCatalogueItemsWithdrawnV1;
      if (d.effectiveFrom === effectiveFrom)
        for (const code of d.itemCodes) last.set(code, { source: d.source, sample: false });
    }
  }
  return last;
}

function everPublished(history: History): Set<string> {
  const codes = new Set<string>();
  for (const e of history)
    if (e.type === RECOGNITION_CATALOGUE_ITEMS_PUBLISHED)
      for (const item of (e.data as RecognitionCatalogueItemsPublishedV1).items) codes.add(item.code);
  return codes;
}

export function planCataloguePublication(
  history: History,
  data: RecognitionCatalogueItemsPublishedV1,
): CataloguePlan {
  const last = lastAt(history, data.effectiveFrom);
  const known = everPublished(history);
  const changed: CatalogueItem[] = [];
  const published: string[] = [];
  const amended: string[] = [];
  const unchanged: string[] = [];
  for (const item of data.items) {
    const l = last.get(item.code);
    if (l?.item && same(l.item, item) && l.source === data.source && l.sample === (data.sample === true))
      unchanged.push(item.code);
    else {
      changed.push(item);
      (known.has(item.code) ? amended : published).push(item.code);
    }
  }
  return {
    events:
      changed.length > 0
        ? [{ type: RECOGNITION_CATALOGUE_ITEMS_PUBLISHED, data: { ...data, items: changed } }]
        : [],
    published,
    amended,
    unchanged,
  };
}

export interface WithdrawalPlan {
  readonly events: readonly PlannedEvent[];
  readonly withdrawn: readonly string[];
  readonly alreadyWithdrawn: readonly string[];
  /** Codes the scope's catalogue never had (nothing is recorded then). */
  readonly problems: readonly LoadProblem[];
}

/** `rows[i]`: the file row of `data.itemCodes[i]`, to name an unknown code where it is. */
export function planWithdrawal(
  history: History,
  data: RecognitionCatalogueItemsWithdrawnV1,
  rows?: readonly number[],
): WithdrawalPlan {
  const last = lastAt(history, data.effectiveFrom);
  const known = everPublished(history);
  const withdrawn: string[] = [];
  const alreadyWithdrawn: string[] = [];
  const problems: LoadProblem[] = [];
  data.itemCodes.forEach((code, i) => {
    const row = rows?.[i];
    if (!known.has(code))
      problems.push({
        ...(row !== undefined ? { row } : {}),
        column: 'code',
        message: `item "${code}" is not in the catalogue of ${data.scope}`,
      });
    else if (last.has(code) && !last.get(code)!.item) alreadyWithdrawn.push(code);
    else withdrawn.push(code);
  });
  return {
    events:
      problems.length === 0 && withdrawn.length > 0
        ? [{ type: RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN, data: { ...data, itemCodes: withdrawn } }]
        : [],
    withdrawn: problems.length === 0 ? withdrawn : [],
    alreadyWithdrawn,
    problems,
  };
}

/** A scope definition: recorded unless the last one for the same effective day is the same. */
export function planScope(
  history: History,
  data: RecognitionScopeDefinedV1,
): { events: readonly PlannedEvent[] } {
  let last: unknown;
  for (const e of history)
    if (
      e.type === RECOGNITION_SCOPE_DEFINED &&
      (e.data as RecognitionScopeDefinedV1).effectiveFrom === data.effectiveFrom
    )
      last = e.data;
  return {
    events: last !== undefined && same(last, data) ? [] : [{ type: RECOGNITION_SCOPE_DEFINED, data }],
  };
}

export interface QualityPlan {
  readonly events: readonly PlannedEvent[];
  readonly recorded: number;
  readonly revoked: number;
  readonly unchanged: number;
}

/** One institution's statuses against its stream. A status recorded again replaces the earlier
 * one (and its revocation), so a changed row whose status was revoked is revoked again only if
 * the row says so. */
export function planQualityStatuses(
  history: History,
  recorded: readonly QualityStatusRecordedV1[],
  revoked: readonly QualityStatusRevokedV1[],
): QualityPlan {
  const lastRecorded = new Map<string, unknown>();
  const lastRevoked = new Map<string, unknown>();
  for (const e of history) {
    if (e.type === QUALITY_STATUS_RECORDED) {
      const d = e.data as QualityStatusRecordedV1;
      lastRecorded.set(d.statusId, d);
      lastRevoked.delete(d.statusId);
    } else if (e.type === QUALITY_STATUS_REVOKED)
      lastRevoked.set((e.data as QualityStatusRevokedV1).statusId, e.data);
  }
  const events: PlannedEvent[] = [];
  let nRecorded = 0;
  let nRevoked = 0;
  let unchanged = 0;
  const revocations = new Map(revoked.map((r) => [r.statusId, r]));
  for (const status of recorded) {
    const revocation = revocations.get(status.statusId);
    const recordAgain =
      !lastRecorded.has(status.statusId) || !same(lastRecorded.get(status.statusId), status);
    if (recordAgain) {
      events.push({ type: QUALITY_STATUS_RECORDED, data: status });
      nRecorded++;
    }
    if (revocation && (recordAgain || !same(lastRevoked.get(status.statusId), revocation))) {
      events.push({ type: QUALITY_STATUS_REVOKED, data: revocation });
      nRevoked++;
    }
    if (!recordAgain && (!revocation || same(lastRevoked.get(status.statusId), revocation))) unchanged++;
  }
  return { events, recorded: nRecorded, revoked: nRevoked, unchanged };
}

export interface CodeMapPlan {
  readonly events: readonly PlannedEvent[];
  readonly mapped: number;
  readonly unmapped: number;
  readonly unchanged: number;
}

/** Mappings that change the institution's current map. */
export function planCodeMap(history: History, data: RecognitionCodesMappedV1): CodeMapPlan {
  const current = new Map<string, string>();
  const key = (m: { code: string; system?: string }) => (m.system ? `${m.system}|${m.code}` : m.code);
  for (const e of history)
    if (e.type === RECOGNITION_CODES_MAPPED)
      for (const m of (e.data as RecognitionCodesMappedV1).mappings) {
        if (m.itemCode) current.set(key(m), m.itemCode);
        else current.delete(key(m));
      }
  const changed = data.mappings.filter((m) => current.get(key(m)) !== m.itemCode);
  return {
    events:
      changed.length > 0 ? [{ type: RECOGNITION_CODES_MAPPED, data: { ...data, mappings: changed } }] : [],
    mapped: changed.filter((m) => m.itemCode).length,
    unmapped: changed.filter((m) => !m.itemCode).length,
    unchanged: data.mappings.length - changed.length,
  };
}
