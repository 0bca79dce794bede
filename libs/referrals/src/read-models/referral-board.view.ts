/**
 * The board as a console shows it: each row with how long the referral waited for an answer
 * and whether it is overdue, and the query behind an inbox or outbox page (filters, paging).
 */
import type { ReferralDirection } from '../contracts';
import { hoursBetween, isBefore } from '../instant';
import type { ReferralBoardRow } from '../referral-board.projection';
import type { ReferralStatus } from '../referral.state';

export interface ReferralBoardItem extends ReferralBoardRow {
  /** Hours from the request to the receiver's answer (acceptance, rejection, expiry or
   * cancellation), or to `now` while unanswered; one decimal. */
  readonly waitingHours: number;
  /** Unanswered past its deadline (the scheduler will record the expiry). */
  readonly overdueResponse: boolean;
  /** Booked, the booked time has passed, and no arrival is recorded. */
  readonly overdueArrival: boolean;
  readonly overdue: boolean;
}

const ANSWERED_BY_CLOSING: readonly ReferralStatus[] = ['rejected', 'expired', 'cancelled'];

export function boardItem(row: ReferralBoardRow, now: string): ReferralBoardItem {
  const answeredAt = row.acceptedAt ?? (ANSWERED_BY_CLOSING.includes(row.status) ? row.closedAt : null);
  const waitingHours = Math.round(hoursBetween(row.requestedAt, answeredAt ?? now) * 10) / 10;
  const overdueResponse = row.status === 'requested' && !isBefore(now, row.deadline);
  const overdueArrival =
    row.status === 'scheduled' && row.bookedFor !== null && !isBefore(now, row.bookedFor);
  return {
    ...row,
    waitingHours,
    overdueResponse,
    overdueArrival,
    overdue: overdueResponse || overdueArrival,
  };
}

export type BoardBox = 'inbox' | 'outbox';

export interface ReferralBoardFilter {
  readonly institution: string;
  /** inbox: referrals the institution received; outbox: those it sent. */
  readonly box: BoardBox;
  readonly statuses?: readonly ReferralStatus[];
  readonly direction?: ReferralDirection;
  /** true: only overdue ones; false: only those that are not. */
  readonly overdue?: boolean;
  readonly now: string;
  readonly limit: number;
  readonly offset: number;
}

const overdueAt = (n: number) =>
  `((status = 'requested' AND deadline <= $${n}) OR (status = 'scheduled' AND booked_for <= $${n}))`;

/** One page of an inbox or outbox, newest request first, with the total in every row. */
export function referralBoardQuery(filter: ReferralBoardFilter): { text: string; params: unknown[] } {
  const params: unknown[] = [filter.institution];
  const where = [filter.box === 'inbox' ? 'receiver = $1' : 'sender = $1'];
  if (filter.statuses && filter.statuses.length > 0) {
    params.push(filter.statuses);
    where.push(`status = ANY($${params.length}::text[])`);
  }
  if (filter.direction) {
    params.push(filter.direction);
    where.push(`direction = $${params.length}`);
  }
  if (filter.overdue !== undefined) {
    params.push(filter.now);
    where.push(filter.overdue ? overdueAt(params.length) : `NOT ${overdueAt(params.length)}`);
  }
  params.push(filter.limit, filter.offset);
  const text = `SELECT *, count(*) OVER () AS total FROM rm_referral_board
    WHERE ${where.join(' AND ')}
    ORDER BY requested_at DESC, referral_id
    LIMIT $${params.length - 1} OFFSET $${params.length}`;
  return { text, params };
}
