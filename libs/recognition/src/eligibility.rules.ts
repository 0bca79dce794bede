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
  NotRecognisableReason,
  ResultEligibility,
} from './eligibility.types';
import { NOT_RECOGNISABLE_REASONS } from './eligibility.types';
import { matchItems } from './matching';
import type { ResultRecord } from './result-record';
import type { QualityStatus, RulesAt, Scope } from './rules-book';

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

/** The last day a result of `resultDay` is recognisable: its own day is day 1 of the window. */
export function lastValidDay(resultDay: string, validityDays: number): string {
  return addDays(resultDay, validityDays - 1);
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

function ordered(reasons: Iterable<NotRecognisableReason>): NotRecognisableReason[] {
  const set = new Set(reasons);
  return NOT_RECOGNISABLE_REASONS.filter((r) => set.has(r));
}

interface ScopeVerdict {
  readonly scope: Scope;
  readonly item: CatalogueItem & { readonly source: string };
  readonly validUntil: string;
  readonly reasons: NotRecognisableReason[];
}

/** One result judged for one requester under the rules of one moment. */
export function judgeResult(record: ResultRecord, requester: string, rules: RulesAt): ResultEligibility {
  const resultDay = shanghaiDay(record.effective);
  const general: NotRecognisableReason[] = statusReasons(record.status);
  if (record.performer === requester) general.push('own-result');
  const requesterScopes = new Map(rules.scopesOf(requester).map((s) => [s.code, s]));
  const shared = rules.scopesOf(record.performer).filter((s) => requesterScopes.has(s.code));
  const codeMap = rules.codeMaps.get(record.performer);

  // item code → verdicts per shared scope whose catalogue lists it
  const verdicts = new Map<string, { observationIds: Set<string>; perScope: ScopeVerdict[] }>();
  for (const scope of shared) {
    const catalogue = rules.catalogues.get(scope.code);
    if (!catalogue) continue;
    for (const [code, observationIds] of matchItems(record, catalogue, codeMap)) {
      const item = catalogue.items.get(code)!;
      const reasons: NotRecognisableReason[] = [];
      const performerLevel = scope.members.get(record.performer)!;
      const requesterLevel = scope.members.get(requester)!;
      if (!directionAllowed(scope, performerLevel, requesterLevel)) reasons.push('direction-not-allowed');
      if (!qualityValid(rules.quality.get(record.performer), item, resultDay))
        reasons.push('quality-not-valid');
      const validUntil = lastValidDay(resultDay, item.validityDays);
      if (validUntil < rules.day) reasons.push('window-passed');
      const entry = verdicts.get(code) ?? { observationIds: new Set<string>(), perScope: [] };
      observationIds.forEach((o) => entry.observationIds.add(o));
      entry.perScope.push({ scope, item, validUntil, reasons });
      verdicts.set(code, entry);
    }
  }

  const items: ItemEligibility[] = [...verdicts.values()].map(({ observationIds, perScope }) => {
    const best = perScope
      .filter((v) => v.reasons.length === 0)
      .sort(
        (a, b) =>
          b.validUntil.localeCompare(a.validUntil) || SCOPE_WIDTH[b.scope.kind] - SCOPE_WIDTH[a.scope.kind],
      )[0];
    const first = best ?? perScope[0]!;
    const matched = {
      catalogueItemCode: first.item.code,
      name: first.item.name,
      kind: first.item.kind,
      validityDays: first.item.validityDays,
      ...(first.item.priceYuan !== undefined ? { priceYuan: first.item.priceYuan } : {}),
    };
    if (best && general.length === 0)
      return {
        item: matched,
        status: 'recognisable' as const,
        scope: { code: best.scope.code, mark: best.scope.mark },
        validUntil: best.validUntil,
        reasons: [],
        observationIds: [...observationIds],
      };
    return {
      item: matched,
      status: 'not-recognisable' as const,
      reasons: ordered([...general, ...perScope.flatMap((v) => v.reasons)]),
      observationIds: [...observationIds],
    };
  });
  items.sort((a, b) => a.item.catalogueItemCode.localeCompare(b.item.catalogueItemCode));

  const recognisable = items.filter((i) => i.status === 'recognisable');
  // the report's headline: its own item when recognisable, else the one recognisable longest
  const headline = recognisable.sort(
    (a, b) =>
      Number(b.observationIds.length === 0) - Number(a.observationIds.length === 0) ||
      b.validUntil!.localeCompare(a.validUntil!),
  )[0];
  const base = {
    resultStream: record.stream,
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    kind: record.kind,
    performer: record.performer,
    version: record.version,
    resultStatus: record.status,
    effective: record.effective,
    items,
    ...(record.kind === 'lab' ? { values: labValues(record) } : {}),
    ...(record.imaging ? { imaging: record.imaging } : {}),
  };
  if (headline)
    return {
      ...base,
      item: headline.item,
      status: 'recognisable',
      scope: headline.scope,
      validUntil: headline.validUntil,
      reasons: [],
    };
  const reasons = ordered([
    ...general,
    ...(items.length === 0 ? (['not-in-shared-catalogue'] as const) : []),
    ...items.flatMap((i) => i.reasons),
  ]);
  return { ...base, ...(items[0] ? { item: items[0].item } : {}), status: 'not-recognisable', reasons };
}

function labValues(record: ResultRecord): LabValue[] {
  return record.lines
    .filter((l) => l.observationId !== undefined)
    .map((l) => {
      const { codings, ...rest } = l;
      return { ...rest, codes: codings.map((c) => (c.system ? `${c.system}|${c.code}` : c.code)) };
    });
}
