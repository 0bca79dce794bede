/**
 * Referral indicators over board rows (双向转诊 KPIs): counts by direction, time from request
 * to acceptance and to arrival (median, p90), acceptance rate, rejection reasons. Percentiles
 * interpolate between ranks as PostgreSQL's percentile_cont does, so figures computed here and
 * in SQL agree.
 */
import type { RejectionReasonCode } from './contracts';
import { hoursBetween } from './instant';
import type { ReferralBoardRow } from './referral-board.projection';

/** The p-th percentile (0 ≤ p ≤ 1) by linear interpolation; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (p < 0 || p > 1) throw new RangeError(`percentile ${p} is outside 0..1`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

export interface DurationSummary {
  readonly count: number;
  readonly medianHours: number | null;
  readonly p90Hours: number | null;
}

export function summarizeHours(hours: readonly number[]): DurationSummary {
  return { count: hours.length, medianHours: median(hours), p90Hours: percentile(hours, 0.9) };
}

export interface ReferralIndicators {
  readonly total: number;
  readonly upward: number;
  readonly downward: number;
  /** Requested → accepted, over the referrals that were accepted. */
  readonly toAcceptance: DurationSummary;
  /** Requested → arrived, over the referrals whose patient arrived. */
  readonly toArrival: DurationSummary;
  /** Accepted ÷ (accepted + rejected + expired): of the referrals the receiver had to answer,
   * the share it accepted in time. Pending ones and those cancelled before an answer do not
   * count; null when there are none. */
  readonly acceptanceRate: number | null;
  readonly rejectionReasons: Readonly<Partial<Record<RejectionReasonCode, number>>>;
  readonly expired: number;
  readonly cancelled: number;
  /** Bookings through the three-priorities channel (三优先). */
  readonly priorityChannelBookings: number;
}

export function referralIndicators(rows: readonly ReferralBoardRow[]): ReferralIndicators {
  const count = (keep: (row: ReferralBoardRow) => boolean) => rows.filter(keep).length;
  const hoursUntil = (moment: (row: ReferralBoardRow) => string | null) =>
    rows.flatMap((row) => {
      const at = moment(row);
      return at === null ? [] : [hoursBetween(row.requestedAt, at)];
    });
  const accepted = count((r) => r.acceptedAt !== null);
  const rejected = count((r) => r.status === 'rejected');
  const expired = count((r) => r.status === 'expired');
  const rejectionReasons: Partial<Record<RejectionReasonCode, number>> = {};
  for (const { rejectionCode } of rows) {
    if (rejectionCode !== null) rejectionReasons[rejectionCode] = (rejectionReasons[rejectionCode] ?? 0) + 1;
  }
  const answered = accepted + rejected + expired;
  return {
    total: rows.length,
    upward: count((r) => r.direction === 'upward'),
    downward: count((r) => r.direction === 'downward'),
    toAcceptance: summarizeHours(hoursUntil((r) => r.acceptedAt)),
    toArrival: summarizeHours(hoursUntil((r) => r.arrivedAt)),
    acceptanceRate: answered === 0 ? null : accepted / answered,
    rejectionReasons,
    expired,
    cancelled: count((r) => r.status === 'cancelled'),
    priorityChannelBookings: count((r) => r.bookedFor !== null && r.priorityChannel),
  };
}
