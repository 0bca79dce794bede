import { guard, instant, institutionCode, integer, object, text, type DataCheck } from '../referrals/schema';

export const OUTPATIENT_VOLUME_REPORTED = 'OutpatientVolumeReported';

/** `institution-{code}`: one stream per institution, holding what it reports about itself. */
export function institutionStream(institution: string): string {
  return `institution-${institution}`;
}

/** The most outpatient and emergency visits one institution can report for one day. */
export const MAX_DAILY_OUTPATIENT_VISITS = 1_000_000;

/** An institution reported its outpatient and emergency visits (门急诊人次) for one day, in
 * China Standard Time: the denominator of "booked referrals as a share of outpatient volume".
 * A later report for the same day replaces the earlier one (a correction). */
export interface OutpatientVolumeReportedV1 {
  readonly institution: string;
  /** The calendar day, YYYY-MM-DD, in China Standard Time. */
  readonly day: string;
  readonly visits: number;
  readonly reportedAt: string;
}

export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const checkOutpatientVolumeReportedV1: DataCheck = object<OutpatientVolumeReportedV1>({
  institution: institutionCode,
  day: text({ min: 10, max: 10, pattern: DAY_PATTERN }),
  visits: integer(0, MAX_DAILY_OUTPATIENT_VISITS),
  reportedAt: instant,
});

export const isOutpatientVolumeReportedV1 = guard<OutpatientVolumeReportedV1>(
  checkOutpatientVolumeReportedV1,
);

/** Reads a recorded envelope back as an OutpatientVolumeReported, or says what is wrong. */
export function parseOutpatientVolumeReported(event: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}):
  | { readonly ok: true; readonly data: OutpatientVolumeReportedV1 }
  | { readonly ok: false; readonly problems: readonly string[] } {
  if (event.type !== OUTPATIENT_VOLUME_REPORTED)
    return { ok: false, problems: [`type: not ${OUTPATIENT_VOLUME_REPORTED}: ${event.type}`] };
  if (event.schemaVersion !== 1)
    return { ok: false, problems: [`schemaVersion: ${event.type} has no version ${event.schemaVersion}`] };
  const problems = checkOutpatientVolumeReportedV1(event.data, 'data');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, data: event.data as OutpatientVolumeReportedV1 };
}
