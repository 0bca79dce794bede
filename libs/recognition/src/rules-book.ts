/**
 * The recognition rules as the hub knew them at a moment: every rule fact (scope, catalogue,
 * quality status, code map, alliance membership) is kept with the instant it was recorded, and
 * `at(moment)` folds those recorded up to then — bitemporal: *recorded* time decides what the
 * hub knew, each fact's *effective* day decides what applied on a given day.
 */
import {
  ALLIANCE_REGISTERED,
  INSTITUTION_JOINED_ALLIANCE,
  INSTITUTION_LEFT_ALLIANCE,
  QUALITY_STATUS_RECORDED,
  QUALITY_STATUS_REVOKED,
  RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
  RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN,
  RECOGNITION_CODES_MAPPED,
  RECOGNITION_SCOPE_DEFINED,
  type AllianceRegisteredV1,
  type CatalogueItem,
  type InstitutionJoinedAllianceV1,
  type InstitutionLeftAllianceV1,
  type InstitutionLevel,
  type QualityStatusRecordedV1,
  type QualityStatusRevokedV1,
  type RecognitionCatalogueItemsPublishedV1,
  type RecognitionCatalogueItemsWithdrawnV1,
  type RecognitionCodesMappedV1,
  type RecognitionScopeDefinedV1,
  type ScopeKind,
} from '@yilian/contracts';

/** One rule fact as the projection keeps it. */
export interface RuleFact {
  readonly type: string;
  readonly data: unknown;
  /** When the hub recorded it (ISO). */
  readonly recordedAt: string;
}

export interface Scope {
  readonly code: string;
  readonly kind: ScopeKind;
  readonly name: string;
  readonly mark: string;
  readonly higherAcceptsLower: boolean;
  readonly tight: boolean;
  readonly effectiveFrom: string;
  readonly sample: boolean;
  /** Institution → level, on the moment's day. */
  readonly members: ReadonlyMap<string, InstitutionLevel>;
}

interface ItemVersion {
  readonly effectiveFrom: string;
  readonly item?: CatalogueItem; // absent: withdrawn from effectiveFrom
  readonly source: string;
  readonly sample: boolean;
}

export interface QualityStatus {
  readonly statusId: string;
  readonly institution: string;
  readonly itemCodes: readonly string[];
  readonly groups: readonly string[];
  readonly scheme: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly revokedFrom?: string;
  readonly revokedReason?: string;
}

/** Catalogue items of one scope in force on a day. */
export interface ScopeCatalogue {
  readonly scope: string;
  readonly items: ReadonlyMap<string, CatalogueItem & { readonly source: string; readonly sample: boolean }>;
}

/** What applied at one moment, as known then. */
export interface RulesAt {
  /** The moment's Asia/Shanghai day. */
  readonly day: string;
  readonly scopes: ReadonlyMap<string, Scope>;
  readonly catalogues: ReadonlyMap<string, ScopeCatalogue>;
  /** Institution → its quality statuses (revoked ones too, with `revokedFrom`). */
  readonly quality: ReadonlyMap<string, readonly QualityStatus[]>;
  /** Institution → (`system|code` or `code`) → item code. */
  readonly codeMaps: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Scopes an institution belongs to. */
  scopesOf(institution: string): readonly Scope[];
}

interface AllianceFacts {
  form?: string;
  name?: string;
  members: Map<string, InstitutionLevel>;
}

export class RulesBook {
  private facts: RuleFact[] = [];
  private sorted = true;

  /** Facts in log order; out-of-order additions are sorted by recorded time. */
  add(facts: readonly RuleFact[]): void {
    for (const f of facts) {
      const last = this.facts[this.facts.length - 1];
      if (last && last.recordedAt > f.recordedAt) this.sorted = false;
      this.facts.push(f);
    }
  }

  get size(): number {
    return this.facts.length;
  }

  /** How many facts were recorded at or before `instant` (ISO): what `at` would fold. */
  countUpTo(instant: string): number {
    const facts = this.ordered();
    let lo = 0;
    let hi = facts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (facts[mid]!.recordedAt <= instant) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ordered(): readonly RuleFact[] {
    if (!this.sorted) {
      this.facts = [...this.facts].sort((a, b) =>
        a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0,
      );
      this.sorted = true;
    }
    return this.facts;
  }

  /** The rules in force on `moment`'s day, from the facts recorded up to `moment`. */
  at(moment: Date, day: string): RulesAt {
    const until = moment.toISOString();
    const scopeDefs = new Map<string, RecognitionScopeDefinedV1[]>();
    const alliances = new Map<string, AllianceFacts>();
    const items = new Map<string, Map<string, ItemVersion[]>>();
    const quality = new Map<string, Map<string, QualityStatus>>();
    const codeMaps = new Map<string, Map<string, string>>();

    for (const fact of this.ordered()) {
      if (fact.recordedAt > until) break;
      switch (fact.type) {
        case RECOGNITION_SCOPE_DEFINED: {
          const d = fact.data as RecognitionScopeDefinedV1;
          push(scopeDefs, d.scope, d);
          break;
        }
        case RECOGNITION_CATALOGUE_ITEMS_PUBLISHED: {
          const d = fact.data as RecognitionCatalogueItemsPublishedV1;
          const byCode = getOr(items, d.scope, () => new Map<string, ItemVersion[]>());
          for (const item of d.items)
            push(byCode, item.code, {
              effectiveFrom: d.effectiveFrom,
              item,
              source: d.source,
              sample: d.sample === true,
            });
          break;
        }
        case RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN: {
          const d = fact.data as RecognitionCatalogueItemsWithdrawnV1;
          const byCode = getOr(items, d.scope, () => new Map<string, ItemVersion[]>());
          for (const code of d.itemCodes)
            push(byCode, code, { effectiveFrom: d.effectiveFrom, source: d.source, sample: false });
          break;
        }
        case QUALITY_STATUS_RECORDED: {
          const d = fact.data as QualityStatusRecordedV1;
          getOr(quality, d.institution, () => new Map()).set(d.statusId, {
            statusId: d.statusId,
            institution: d.institution,
            itemCodes: d.itemCodes ?? [],
            groups: d.groups ?? [],
            scheme: d.scheme,
            validFrom: d.validFrom,
            validUntil: d.validUntil,
          });
          break;
        }
        case QUALITY_STATUS_REVOKED: {
          const d = fact.data as QualityStatusRevokedV1;
          const byId = quality.get(d.institution);
          const status = byId?.get(d.statusId);
          if (byId && status)
            byId.set(d.statusId, { ...status, revokedFrom: d.revokedFrom, revokedReason: d.reason });
          break;
        }
        case RECOGNITION_CODES_MAPPED: {
          const d = fact.data as RecognitionCodesMappedV1;
          const map = getOr(codeMaps, d.institution, () => new Map<string, string>());
          for (const m of d.mappings) {
            const key = m.system ? `${m.system}|${m.code}` : m.code;
            if (m.itemCode) map.set(key, m.itemCode);
            else map.delete(key);
          }
          break;
        }
        case ALLIANCE_REGISTERED: {
          const d = fact.data as AllianceRegisteredV1;
          const a = getOr<string, AllianceFacts>(alliances, d.allianceId, () => ({ members: new Map() }));
          a.form = d.form;
          a.name = d.name;
          break;
        }
        case INSTITUTION_JOINED_ALLIANCE: {
          const d = fact.data as InstitutionJoinedAllianceV1;
          getOr<string, AllianceFacts>(alliances, d.allianceId, () => ({ members: new Map() })).members.set(
            d.institution,
            d.level,
          );
          break;
        }
        case INSTITUTION_LEFT_ALLIANCE: {
          const d = fact.data as InstitutionLeftAllianceV1;
          alliances.get(d.allianceId)?.members.delete(d.institution);
          break;
        }
      }
    }

    const scopes = new Map<string, Scope>();
    for (const [code, defs] of scopeDefs) {
      const def = latestInForce(defs, day);
      if (!def) continue;
      const members =
        def.kind === 'alliance'
          ? new Map(alliances.get(code.slice('alliance:'.length))?.members ?? [])
          : new Map((def.members ?? []).map((m) => [m.institution, m.level] as const));
      scopes.set(code, {
        code,
        kind: def.kind,
        name: def.name,
        mark: def.mark,
        higherAcceptsLower: def.higherAcceptsLower,
        tight: def.tight,
        effectiveFrom: def.effectiveFrom,
        sample: def.sample === true,
        members,
      });
    }
    const catalogues = new Map<string, ScopeCatalogue>();
    for (const [scope, byCode] of items) {
      const inForce = new Map<string, CatalogueItem & { source: string; sample: boolean }>();
      for (const [code, versions] of byCode) {
        const v = latestInForce(versions, day);
        if (v?.item) inForce.set(code, { ...v.item, source: v.source, sample: v.sample });
      }
      catalogues.set(scope, { scope, items: inForce });
    }
    const byInstitution = new Map<string, Scope[]>();
    for (const scope of scopes.values())
      for (const institution of scope.members.keys()) push(byInstitution, institution, scope);
    return {
      day,
      scopes,
      catalogues,
      quality: new Map([...quality].map(([k, v]) => [k, [...v.values()]])),
      codeMaps,
      scopesOf: (institution) => byInstitution.get(institution) ?? [],
    };
  }
}

/** The version with the latest `effectiveFrom` on or before `day` (the last recorded of equals). */
function latestInForce<T extends { readonly effectiveFrom: string }>(
  versions: readonly T[],
  day: string,
): T | undefined {
  let best: T | undefined;
  for (const v of versions)
    if (v.effectiveFrom <= day && (!best || v.effectiveFrom >= best.effectiveFrom)) best = v;
  return best;
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  getOr(map, key, () => []).push(value);
}
