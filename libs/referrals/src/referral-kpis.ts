/**
 * Referral KPIs per period (day or month, China Standard Time) over board rows: the
 * indicators of referral-indicators.ts plus bookings and the share booked through the
 * three-priorities channel, accepted downward referrals (the tertiary hospital assessment's
 * 下转患者人次数 counts patients actually taken on), and booked referrals as a share of the
 * outpatient volume an institution reported.
 */
import type { ReferralBoardRow } from './referral-board.projection';
import { referralIndicators, type ReferralIndicators } from './referral-indicators';

export type Granularity = 'day' | 'month';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `2026-03-02` or `2026-03`: the day or month of an instant in China Standard Time. */
export function periodOf(instant: string, granularity: Granularity): string {
  const local = new Date(Date.parse(instant) + CHINA_OFFSET_MS).toISOString();
  return granularity === 'day' ? local.slice(0, 10) : local.slice(0, 7);
}

export interface ReferralKpis extends ReferralIndicators {
  /** Referrals with a booking (appointment, examination or admission). */
  readonly bookings: number;
  /** priorityChannelBookings ÷ bookings; null without bookings. */
  readonly priorityChannelShare: number | null;
  /** Downward referrals the receiving institution accepted. */
  readonly downwardAccepted: number;
}

export function referralKpis(rows: readonly ReferralBoardRow[]): ReferralKpis {
  const indicators = referralIndicators(rows);
  const bookings = rows.filter((r) => r.bookedFor !== null).length;
  return {
    ...indicators,
    bookings,
    priorityChannelShare: bookings === 0 ? null : indicators.priorityChannelBookings / bookings,
    downwardAccepted: rows.filter((r) => r.direction === 'downward' && r.acceptedAt !== null).length,
  };
}

/** Rows grouped by the period of `moment(row)`, in period order. */
export function groupByPeriod<T>(
  rows: readonly T[],
  granularity: Granularity,
  moment: (row: T) => string,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const period = periodOf(moment(row), granularity);
    groups.set(period, [...(groups.get(period) ?? []), row]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** Outpatient bookings (appointment or examination) made for referred patients, as a share of
 * the outpatient visits reported; null when no volume was reported. */
export function bookedShareOfOutpatient(outpatientBookings: number, visits: number | null): number | null {
  return visits === null || visits === 0 ? null : outpatientBookings / visits;
}

export function isOutpatientBooking(row: ReferralBoardRow): boolean {
  return row.bookedFor !== null && (row.scheduleKind === 'appointment' || row.scheduleKind === 'examination');
}
