/**
 * The rules of mutual recognition (检查检验结果互认) as events: scopes, catalogues, quality
 * status and code maps. A correction is a new event, never an edit; each carries the day it
 * takes effect, and the store's `recordedAt` says when the hub learnt it — so the hub can say
 * what it would have answered at any past moment (libs/recognition/README.md).
 *
 * Streams: `recognition-scope-{scope}`, `recognition-catalogue-{scope}`,
 * `recognition-quality-{institution}`, `recognition-codemap-{institution}`.
 */
import {
  arrayOf,
  bool,
  guard,
  institutionCode,
  integer,
  object,
  oneOf,
  optional,
  text,
  type DataCheck,
} from '../referrals/schema';
import { INSTITUTION_LEVELS, type InstitutionLevel } from '../alliance/alliance';
import { DAY_PATTERN } from '../alliance/outpatient-volume-reported.v1';

export const RECOGNITION_SCOPE_DEFINED = 'RecognitionScopeDefined';
export const RECOGNITION_CATALOGUE_ITEMS_PUBLISHED = 'RecognitionCatalogueItemsPublished';
export const RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN = 'RecognitionCatalogueItemsWithdrawn';
export const QUALITY_STATUS_RECORDED = 'QualityStatusRecorded';
export const QUALITY_STATUS_REVOKED = 'QualityStatusRevoked';
export const RECOGNITION_CODES_MAPPED = 'RecognitionCodesMapped';

/** 医联体, 市, 省, 跨省区域, 国家. */
export const SCOPE_KINDS = ['alliance', 'city', 'province', 'region', 'national'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** `{kind}:{id}`, e.g. `province:42` (Hubei), `city:4201` (Wuhan), `alliance:wuhan-east`,
 * `national:cn`. */
export const SCOPE_CODE_PATTERN = /^(alliance|city|province|region|national):[A-Za-z0-9._-]{1,64}$/;
/** A catalogue item's code, unique in its scope's catalogue. */
export const ITEM_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type ResultKind = 'lab' | 'imaging';
export const RESULT_KINDS = ['lab', 'imaging'] as const;

export const scopeCode: DataCheck = text({ max: 80, pattern: SCOPE_CODE_PATTERN });
export const itemCode: DataCheck = text({ max: 64, pattern: ITEM_CODE_PATTERN });
export const day: DataCheck = (value, path) =>
  typeof value === 'string' && DAY_PATTERN.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
    ? []
    : [`${path}: expected a calendar day YYYY-MM-DD`];
const price: DataCheck = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1_000_000
    ? []
    : [`${path}: expected a price in yuan from 0 to 1000000`];
const codes = arrayOf(text({ max: 200 }), { max: 200 });

/** A scope and its direction rules. An alliance's members and levels come from its membership
 * events; other scopes list theirs (configuration data). */
export interface RecognitionScopeDefinedV1 {
  readonly scope: string;
  readonly kind: ScopeKind;
  readonly name: string;
  /** Printed on recognisable reports: `鄂HR`, `武汉HR`, `HR` (national). */
  readonly mark: string;
  /** Whether a higher-level institution accepts a lower one's results in this scope. */
  readonly higherAcceptsLower: boolean;
  /** 紧密型: every member recognises every other, whatever their levels. */
  readonly tight: boolean;
  /** Members and their levels; absent for an alliance scope (its membership decides). */
  readonly members?: readonly { readonly institution: string; readonly level: InstitutionLevel }[];
  readonly effectiveFrom: string;
  /** True for the sample data shipped with the hub (never a real catalogue). */
  readonly sample?: boolean;
}

/** One item of a recognition catalogue (互认项目). */
export interface CatalogueItem {
  readonly code: string;
  readonly name: string;
  readonly kind: ResultKind;
  /** Days a result stays recognisable, the result's own day counting as day 1. */
  readonly validityDays: number;
  readonly priceYuan?: number;
  /** A group quality statuses may name (e.g. `biochemistry`, `CT`). */
  readonly group?: string;
  /** Lab: LOINC codes that identify the item. */
  readonly loinc?: readonly string[];
  /** Lab or imaging: other codes (`system|code` or a bare code) that identify it everywhere. */
  readonly localCodes?: readonly string[];
  /** Imaging: DICOM modalities (CT, MR, DX, CR, US …) and body sites (code or name). */
  readonly modalities?: readonly string[];
  readonly bodySites?: readonly string[];
  /** Imaging: procedure codes (`system|code` or bare) that identify it. */
  readonly procedureCodes?: readonly string[];
}

/** Items published or amended (same code: the new one applies from `effectiveFrom`). */
export interface RecognitionCatalogueItemsPublishedV1 {
  readonly scope: string;
  readonly effectiveFrom: string;
  /** The document that publishes them (e.g. 鄂卫通〔2023〕56号). */
  readonly source: string;
  readonly items: readonly CatalogueItem[];
  readonly sample?: boolean;
}

export interface RecognitionCatalogueItemsWithdrawnV1 {
  readonly scope: string;
  readonly effectiveFrom: string;
  readonly source: string;
  readonly itemCodes: readonly string[];
}

/** 质控合格: an institution passed EQA (室间质评) or an imaging quality check for items or item
 * groups, valid from a day until a day. */
export interface QualityStatusRecordedV1 {
  readonly statusId: string;
  readonly institution: string;
  readonly itemCodes?: readonly string[];
  readonly groups?: readonly string[];
  /** e.g. `EQA` (室间质评), `imaging-qc`. */
  readonly scheme: string;
  readonly issuer?: string;
  readonly validFrom: string;
  readonly validUntil: string;
  /** True for the sample data shipped with the hub (never a real status). */
  readonly sample?: boolean;
}

export interface QualityStatusRevokedV1 {
  readonly statusId: string;
  readonly institution: string;
  /** The first day it no longer holds. */
  readonly revokedFrom: string;
  readonly reason: string;
}

/** An institution's own codes mapped to catalogue items (`itemCode` absent: unmapped again). */
export interface RecognitionCodesMappedV1 {
  readonly institution: string;
  readonly mappings: readonly {
    readonly code: string;
    readonly system?: string;
    readonly itemCode?: string;
  }[];
}

const member = object<{ institution: string; level: InstitutionLevel }>({
  institution: institutionCode,
  level: oneOf(INSTITUTION_LEVELS),
});

export const checkCatalogueItem: DataCheck = object<CatalogueItem>({
  code: itemCode,
  name: text({ max: 200 }),
  kind: oneOf(RESULT_KINDS),
  validityDays: integer(1, 3650),
  priceYuan: optional(price),
  group: optional(text({ max: 64 })),
  loinc: optional(codes),
  localCodes: optional(codes),
  modalities: optional(codes),
  bodySites: optional(codes),
  procedureCodes: optional(codes),
});

export const checkRecognitionScopeDefinedV1: DataCheck = object<RecognitionScopeDefinedV1>({
  scope: scopeCode,
  kind: oneOf(SCOPE_KINDS),
  name: text({ max: 200 }),
  mark: text({ max: 32 }),
  higherAcceptsLower: bool,
  tight: bool,
  members: optional(arrayOf(member, { max: 100_000 })),
  effectiveFrom: day,
  sample: optional(bool),
});

export const checkRecognitionCatalogueItemsPublishedV1: DataCheck =
  object<RecognitionCatalogueItemsPublishedV1>({
    scope: scopeCode,
    effectiveFrom: day,
    source: text({ max: 500 }),
    items: arrayOf(checkCatalogueItem, { min: 1, max: 20_000 }),
    sample: optional(bool),
  });

export const checkRecognitionCatalogueItemsWithdrawnV1: DataCheck =
  object<RecognitionCatalogueItemsWithdrawnV1>({
    scope: scopeCode,
    effectiveFrom: day,
    source: text({ max: 500 }),
    itemCodes: arrayOf(itemCode, { min: 1, max: 20_000 }),
  });

export const checkQualityStatusRecordedV1: DataCheck = object<QualityStatusRecordedV1>({
  statusId: text({ max: 64, pattern: ITEM_CODE_PATTERN }),
  institution: institutionCode,
  itemCodes: optional(arrayOf(itemCode, { max: 20_000 })),
  groups: optional(arrayOf(text({ max: 64 }), { max: 1000 })),
  scheme: text({ max: 64 }),
  issuer: optional(text({ max: 200 })),
  validFrom: day,
  validUntil: day,
  sample: optional(bool),
});

export const checkQualityStatusRevokedV1: DataCheck = object<QualityStatusRevokedV1>({
  statusId: text({ max: 64, pattern: ITEM_CODE_PATTERN }),
  institution: institutionCode,
  revokedFrom: day,
  reason: text({ max: 500 }),
});

export const checkRecognitionCodesMappedV1: DataCheck = object<RecognitionCodesMappedV1>({
  institution: institutionCode,
  mappings: arrayOf(
    object<{ code: string; system?: string; itemCode?: string }>({
      code: text({ max: 200 }),
      system: optional(text({ max: 500 })),
      itemCode: optional(itemCode),
    }),
    { min: 1, max: 100_000 },
  ),
});

export type RecognitionRuleEvent =
  | { readonly type: typeof RECOGNITION_SCOPE_DEFINED; readonly data: RecognitionScopeDefinedV1 }
  | {
      readonly type: typeof RECOGNITION_CATALOGUE_ITEMS_PUBLISHED;
      readonly data: RecognitionCatalogueItemsPublishedV1;
    }
  | {
      readonly type: typeof RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN;
      readonly data: RecognitionCatalogueItemsWithdrawnV1;
    }
  | { readonly type: typeof QUALITY_STATUS_RECORDED; readonly data: QualityStatusRecordedV1 }
  | { readonly type: typeof QUALITY_STATUS_REVOKED; readonly data: QualityStatusRevokedV1 }
  | { readonly type: typeof RECOGNITION_CODES_MAPPED; readonly data: RecognitionCodesMappedV1 };

const CHECKS: { readonly [T in RecognitionRuleEvent['type']]: DataCheck } = {
  [RECOGNITION_SCOPE_DEFINED]: checkRecognitionScopeDefinedV1,
  [RECOGNITION_CATALOGUE_ITEMS_PUBLISHED]: checkRecognitionCatalogueItemsPublishedV1,
  [RECOGNITION_CATALOGUE_ITEMS_WITHDRAWN]: checkRecognitionCatalogueItemsWithdrawnV1,
  [QUALITY_STATUS_RECORDED]: checkQualityStatusRecordedV1,
  [QUALITY_STATUS_REVOKED]: checkQualityStatusRevokedV1,
  [RECOGNITION_CODES_MAPPED]: checkRecognitionCodesMappedV1,
};

export const RECOGNITION_RULE_EVENT_TYPES = Object.keys(CHECKS) as readonly RecognitionRuleEvent['type'][];

export function parseRecognitionRuleEvent(event: {
  readonly type: string;
  readonly data: unknown;
}): { ok: true; event: RecognitionRuleEvent } | { ok: false; problems: string[] } {
  const check = (CHECKS as Record<string, DataCheck>)[event.type];
  if (!check) return { ok: false, problems: [`type: not a recognition rule event: ${event.type}`] };
  const problems = check(event.data, 'data');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, event: event as RecognitionRuleEvent };
}

export const isCatalogueItem = guard<CatalogueItem>(checkCatalogueItem);

export function recognitionScopeStream(scope: string): string {
  return `recognition-scope-${scope}`;
}
export function recognitionCatalogueStream(scope: string): string {
  return `recognition-catalogue-${scope}`;
}
export function qualityStatusStream(institution: string): string {
  return `recognition-quality-${institution}`;
}
export function codeMapStream(institution: string): string {
  return `recognition-codemap-${institution}`;
}
