/**
 * The recognition rules (DOMAIN.md, 国卫医发〔2022〕6号 and provincial rules) as a pure function:
 * a result (the version the hub knew), the requesting institution and the rules at a moment →
 * recognisable in which scope, until which day, or every reason it is not.
 */
import type { CatalogueItem, InstitutionLevel } from '@yilian/contracts';
import { addDays, shanghaiDay } from './days';
import type {
  ItemEligibility,
  LabValue,
  MatchedItem,
  NotRecognisableReason,
  ResultEligibility,
} from './eligibility.types';
import { NOT_RECOGNISABLE_REASONS } from './eligibility.types';
import { matchItems } from './matching';
import type { ResultLine, ResultRecord } from './result-record';
import type { QualityStatus, RulesAt, Scope, ScopeCatalogue } from './rules-book';

const LEVEL_RANK: Record<InstitutionLevel, number> = { primary: 1, secondary: 2, tertiary: 3 };
/** On equal validity the wider scope is named: its mark is known to more institutions. */
const SCOPE_WIDTH: Record<Scope['kind'], number> = {
  alliance: 1,
  city: 2,
  province: 3,
  region: 4,
  national: 5,
};

/** Same level mutual; a lower level accepts a higher one's results; a higher accepts a lower
 * one's only where the scope says so; every member of a tight (紧密型) alliance accepts every
 * other's. */
export function directionAllowed(
  scope: Scope,
  performer: InstitutionLevel,
  requester: InstitutionLevel,
): boolean {
  if (scope.tight) return true;
  if (LEVEL_RANK[requester] <= LEVEL_RANK[performer]) return true;
  return scope.higherAcceptsLower;
}

/** lastValidDay per (result day, validity days): a query judges ≈ 10 items per result, a few
 * dozen distinct days and windows in all. */
const validUntilMemo = new Map<string, Map<number, string>>();

/** The last day a result of `resultDay` is recognisable: its own day is day 1 of the window. */
export function lastValidDay(resultDay: string, validityDays: number): string {
  let byDays = validUntilMemo.get(resultDay);
  if (!byDays) {
    if (validUntilMemo.size >= 4096) validUntilMemo.clear();
    validUntilMemo.set(resultDay, (byDays = new Map()));
  }
  let day = byDays.get(validityDays);
  if (day === undefined) byDays.set(validityDays, (day = addDays(resultDay, validityDays - 1)));
  return day;
}

/** Whether the performer's 质控合格 status covers the item on the result's day. */
export function qualityValid(
  statuses: readonly QualityStatus[] | undefined,
  item: CatalogueItem,
  resultDay: string,
): boolean {
  return (statuses ?? []).some(
    (s) =>
      (s.itemCodes.includes(item.code) || (item.group !== undefined && s.groups.includes(item.group))) &&
      s.validFrom <= resultDay &&
      resultDay <= s.validUntil &&
      (s.revokedFrom === undefined || resultDay < s.revokedFrom),
  );
}

/** Reasons that come from the result itself, whatever the item. */
export function statusReasons(status: string): NotRecognisableReason[] {
  switch (status) {
    case 'final':
    case 'available':
      return [];
    case 'amended':
    case 'corrected':
    case 'appended':
      return ['result-amended'];
    case 'cancelled':
    case 'entered-in-error':
      return ['result-cancelled'];
    default:
      return ['result-preliminary']; // registered, partial, preliminary, unknown
  }
}

/** Reasons as bits, in NOT_RECOGNISABLE_REASONS order: a union is an `|`, the list in one order
 * is the set bits read from the lowest. */
const REASON_BIT = new Map<NotRecognisableReason, number>(
  NOT_RECOGNISABLE_REASONS.map((r, i) => [r, 1 << i]),
);
const bit = (reason: NotRecognisableReason): number => REASON_BIT.get(reason)!;
const DIRECTION = bit('direction-not-allowed');
const QUALITY = bit('quality-not-valid');
const WINDOW = bit('window-passed');
const NOT_IN_CATALOGUE = bit('not-in-shared-catalogue');
const OWN = bit('own-result');

function reasonsOf(mask: number): NotRecognisableReason[] {
  const reasons: NotRecognisableReason[] = [];
  for (let i = 0; mask >> i !== 0; i++) if ((mask >> i) & 1) reasons.push(NOT_RECOGNISABLE_REASONS[i]!);
  return reasons;
}

const statusMasks = new Map<string, number>();
function statusMask(status: string): number {
  let mask = statusMasks.get(status);
  if (mask === undefined) {
    mask = statusReasons(status).reduce((m, r) => m | bit(r), 0);
    if (statusMasks.size < 64) statusMasks.set(status, mask);
  }
  return mask;
}

/** A scope the performer and the requester share that has a catalogue, with what depends only on
 * the pair and the rules. */
interface SharedScope {
  readonly scope: Scope;
  readonly catalogue: ScopeCatalogue;
  readonly width: number;
  /** `direction-not-allowed` or 0. */
  readonly direction: number;
}

/** What a requester's answer needs of the rules, per performer: computed once per (rules,
 * requester, performer), not once per result. */
const sharedByRules = new WeakMap<RulesAt, Map<string, Map<string, readonly SharedScope[]>>>();

function sharedScopes(rules: RulesAt, requester: string, performer: string): readonly SharedScope[] {
  let byRequester = sharedByRules.get(rules);
  if (!byRequester) sharedByRules.set(rules, (byRequester = new Map()));
  let byPerformer = byRequester.get(requester);
  if (!byPerformer) byRequester.set(requester, (byPerformer = new Map()));
  let shared = byPerformer.get(performer);
  if (!shared) {
    const requesterScopes = new Set(rules.scopesOf(requester).map((s) => s.code));
    const list: SharedScope[] = [];
    for (const scope of rules.scopesOf(performer)) {
      if (!requesterScopes.has(scope.code)) continue;
      const catalogue = rules.catalogues.get(scope.code);
      if (!catalogue) continue;
      const allowed = directionAllowed(scope, scope.members.get(performer)!, scope.members.get(requester)!);
      list.push({ scope, catalogue, width: SCOPE_WIDTH[scope.kind], direction: allowed ? 0 : DIRECTION });
    }
    byPerformer.set(performer, (shared = list));
  }
  return shared;
}

interface ScopeVerdict {
  readonly shared: SharedScope;
  readonly item: CatalogueItem;
  readonly validUntil: string;
  readonly reasons: number;
}

interface ItemVerdicts {
  readonly observationIds: Set<string>;
  readonly perScope: ScopeVerdict[];
}

/** The first verdict with no reason that is valid longest, the wider scope on equal validity. */
function bestOf(perScope: readonly ScopeVerdict[]): ScopeVerdict | undefined {
  let best: ScopeVerdict | undefined;
  for (const v of perScope) {
    if (v.reasons !== 0) continue;
    if (
      !best ||
      v.validUntil > best.validUntil ||
      (v.validUntil === best.validUntil && v.shared.width > best.shared.width)
    )
      best = v;
  }
  return best;
}

/** One result judged for one requester under the rules of one moment. */
export function judgeResult(record: ResultRecord, requester: string, rules: RulesAt): ResultEligibility {
  const resultDay = shanghaiDay(record.effective);
  const general = statusMask(record.status) | (record.performer === requester ? OWN : 0);
  const statuses = rules.quality.get(record.performer);
  const codeMap = rules.codeMaps.get(record.performer);

  // item code → verdicts per shared scope whose catalogue lists it
  const verdicts = new Map<string, ItemVerdicts>();
  for (const shared of sharedScopes(rules, requester, record.performer)) {
    const catalogue = shared.catalogue;
    for (const [code, observationIds] of matchItems(record, catalogue, codeMap)) {
      const item = catalogue.items.get(code)!;
      const validUntil = lastValidDay(resultDay, item.validityDays);
      const reasons =
        shared.direction |
        (qualityValid(statuses, item, resultDay) ? 0 : QUALITY) |
        (validUntil < rules.day ? WINDOW : 0);
      let entry = verdicts.get(code);
      if (!entry) verdicts.set(code, (entry = { observationIds: new Set<string>(), perScope: [] }));
      for (const o of observationIds) entry.observationIds.add(o);
      entry.perScope.push({ shared, item, validUntil, reasons });
    }
  }

  let itemReasons = 0;
  const items: ItemEligibility[] = [];
  for (const { observationIds, perScope } of verdicts.values()) {
    const best = bestOf(perScope);
    const first = best ?? perScope[0]!;
    const matched: { -readonly [K in keyof MatchedItem]: MatchedItem[K] } = {
      catalogueItemCode: first.item.code,
      name: first.item.name,
      kind: first.item.kind,
      validityDays: first.item.validityDays,
    };
    if (first.item.priceYuan !== undefined) matched.priceYuan = first.item.priceYuan;
    if (best && general === 0) {
      items.push({
        item: matched,
        status: 'recognisable',
        scope: { code: best.shared.scope.code, mark: best.shared.scope.mark },
        validUntil: best.validUntil,
        reasons: [],
        observationIds: [...observationIds],
      });
      continue;
    }
    let reasons = general;
    for (const v of perScope) reasons |= v.reasons;
    itemReasons |= reasons;
    items.push({
      item: matched,
      status: 'not-recognisable',
      reasons: reasonsOf(reasons),
      observationIds: [...observationIds],
    });
  }
  if (items.length > 1)
    items.sort((a, b) => a.item.catalogueItemCode.localeCompare(b.item.catalogueItemCode));

  // the report's headline: its own item when recognisable, else the one recognisable longest
  // (the first of equals in item order)
  let headline: ItemEligibility | undefined;
  for (const i of items) {
    if (i.status !== 'recognisable') continue;
    if (!headline) {
      headline = i;
      continue;
    }
    const own = Number(i.observationIds.length === 0) - Number(headline.observationIds.length === 0);
    if (own > 0 || (own === 0 && i.validUntil! > headline.validUntil!)) headline = i;
  }
  // built in place, in the order of keys the answer has always had
  const result: { -readonly [K in keyof ResultEligibility]?: ResultEligibility[K] } = {
    resultStream: record.stream,
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    kind: record.kind,
    performer: record.performer,
    version: record.version,
    resultStatus: record.status,
    effective: record.effective,
    items,
  };
  if (record.kind === 'lab') result.values = labValues(record);
  if (record.imaging) result.imaging = record.imaging;
  if (headline) {
    result.item = headline.item;
    result.status = 'recognisable';
    result.scope = headline.scope;
    result.validUntil = headline.validUntil;
    result.reasons = [];
    return result as ResultEligibility;
  }
  if (items[0]) result.item = items[0].item;
  result.status = 'not-recognisable';
  result.reasons = reasonsOf(general | (items.length === 0 ? NOT_IN_CATALOGUE : 0) | itemReasons);
  return result as ResultEligibility;
}

/** The report's observations with their values; each line as recorded (in its order of keys)
 * but for its codings, given as `system|code`. */
function labValues(record: ResultRecord): LabValue[] {
  const values: LabValue[] = [];
  for (const line of record.lines) {
    if (line.observationId === undefined) continue;
    // a loop, not `{ codings, ...rest }`: an object rest is several times slower in V8
    const value: Record<string, unknown> = {};
    for (const key in line) if (key !== 'codings') value[key] = line[key as keyof ResultLine];
    value.codes = line.codings.map((c) => (c.system ? `${c.system}|${c.code}` : c.code));
    values.push(value as unknown as LabValue);
  }
  return values;
}
