/**
 * OutpatientVolumeReported, version 2: the day's visits as a total (门急诊人次, what v1 called
 * `visits`) with, when the institution's HIS tells them apart, outpatient (门诊人次) and
 * emergency (急诊人次) visits — the two the national health statistics report separately.
 *
 * v1 → v2 (`upcastOutpatientVolumeReportedV1`): `visits: n` becomes `visits: { total: n }`;
 * nothing is lost. v2 → v1 (`downcastOutpatientVolumeReportedV2`): `visits` is the total again;
 * only the split is lost, which v1 never had. Projections read v2 only: the read path upcasts
 * (`upcastRecordedEvent`, contracts/src/upcasting.ts).
 */
import {
  guard,
  instant,
  institutionCode,
  integer,
  isObject,
  object,
  optional,
  text,
} from '../referrals/schema';
import type { DataCheck } from '../referrals/schema';
import {
  DAY_PATTERN,
  MAX_DAILY_OUTPATIENT_VISITS,
  OUTPATIENT_VOLUME_REPORTED,
  type OutpatientVolumeReportedV1,
} from './outpatient-volume-reported.v1';

export const OUTPATIENT_VOLUME_REPORTED_V2 = 2;

export interface OutpatientVisits {
  /** 门急诊人次: outpatient and emergency visits together (v1's `visits`). */
  readonly total: number;
  /** 门诊人次, when reported apart; with `emergency` it adds up to `total`. */
  readonly outpatient?: number;
  /** 急诊人次, when reported apart. */
  readonly emergency?: number;
}

export interface OutpatientVolumeReportedV2 {
  readonly institution: string;
  /** The calendar day, YYYY-MM-DD, in China Standard Time. */
  readonly day: string;
  readonly visits: OutpatientVisits;
  readonly reportedAt: string;
}

const count = integer(0, MAX_DAILY_OUTPATIENT_VISITS);

const checkVisits: DataCheck = (value, path) => {
  const problems = object<OutpatientVisits>({
    total: count,
    outpatient: optional(count),
    emergency: optional(count),
  })(value, path);
  if (problems.length > 0 || !isObject(value)) return problems;
  const { total, outpatient, emergency } = value as unknown as OutpatientVisits;
  if ((outpatient === undefined) !== (emergency === undefined))
    return [`${path}: outpatient and emergency come together or not at all`];
  if (outpatient !== undefined && emergency !== undefined && outpatient + emergency !== total)
    return [`${path}.total: must be outpatient + emergency (${outpatient + emergency})`];
  return [];
};

export const checkOutpatientVolumeReportedV2: DataCheck = object<OutpatientVolumeReportedV2>({
  institution: institutionCode,
  day: text({ min: 10, max: 10, pattern: DAY_PATTERN }),
  visits: checkVisits,
  reportedAt: instant,
});

export const isOutpatientVolumeReportedV2 = guard<OutpatientVolumeReportedV2>(
  checkOutpatientVolumeReportedV2,
);

/** v1 → v2: the total is v1's `visits`; no split is invented. */
export function upcastOutpatientVolumeReportedV1(v1: OutpatientVolumeReportedV1): OutpatientVolumeReportedV2 {
  return {
    institution: v1.institution,
    day: v1.day,
    visits: { total: v1.visits },
    reportedAt: v1.reportedAt,
  };
}

/** v2 → v1, for a consumer of v1: the total, as v1 always carried it. */
export function downcastOutpatientVolumeReportedV2(
  v2: OutpatientVolumeReportedV2,
): OutpatientVolumeReportedV1 {
  return { institution: v2.institution, day: v2.day, visits: v2.visits.total, reportedAt: v2.reportedAt };
}

/** Reads a recorded envelope as an OutpatientVolumeReported v2 (what projections see once the
 * read path upcast it), or says what is wrong. */
export function parseOutpatientVolumeReportedV2(event: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}):
  | { readonly ok: true; readonly data: OutpatientVolumeReportedV2 }
  | { readonly ok: false; readonly problems: readonly string[] } {
  if (event.type !== OUTPATIENT_VOLUME_REPORTED)
    return { ok: false, problems: [`type: not ${OUTPATIENT_VOLUME_REPORTED}: ${event.type}`] };
  if (event.schemaVersion !== OUTPATIENT_VOLUME_REPORTED_V2)
    return { ok: false, problems: [`schemaVersion: expected 2 (upcast first), got ${event.schemaVersion}`] };
  const problems = checkOutpatientVolumeReportedV2(event.data, 'data');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, data: event.data as OutpatientVolumeReportedV2 };
}
