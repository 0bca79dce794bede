/**
 * PostgreSQL for the referral board: the table with its inbox / outbox / due indexes, the
 * upsert a projector runs after `evolveReferralBoard`, and the queries the scheduler and the
 * read API need. Strings only: no `pg` here; the projector wires them.
 */
import type { ReferralBoardRow } from './referral-board.projection';

export const REFERRAL_BOARD_TABLE = 'rm_referral_board';

export const REFERRAL_BOARD_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_referral_board (
  referral_id      text PRIMARY KEY,
  alliance_id      text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('upward', 'downward')),
  sender           text NOT NULL,
  receiver         text NOT NULL,
  patient_key      text NOT NULL,
  status           text NOT NULL CHECK (status IN ('requested', 'accepted', 'scheduled', 'arrived',
                     'completed', 'rejected', 'cancelled', 'expired')),
  priority         text NOT NULL,
  reason           text,
  requested_at     timestamptz NOT NULL,
  deadline         timestamptz NOT NULL,
  accepted_at      timestamptz,
  schedule_kind    text,
  booked_for       timestamptz,
  priority_channel boolean NOT NULL DEFAULT false,
  arrived_at       timestamptz,
  closed_at        timestamptz,
  rejection_code   text,
  rejection_text   text,
  acknowledged_at  timestamptz,
  updated_at       timestamptz NOT NULL
);
-- Inbox: what an institution received, by status, newest first.
CREATE INDEX IF NOT EXISTS rm_referral_board_inbox ON rm_referral_board (receiver, status, requested_at DESC);
-- Outbox: what an institution sent, by status, newest first.
CREATE INDEX IF NOT EXISTS rm_referral_board_outbox ON rm_referral_board (sender, status, requested_at DESC);
-- The expiry scheduler: unanswered referrals by deadline.
CREATE INDEX IF NOT EXISTS rm_referral_board_due ON rm_referral_board (deadline) WHERE status = 'requested';
-- Indicators per alliance and period.
CREATE INDEX IF NOT EXISTS rm_referral_board_alliance ON rm_referral_board (alliance_id, requested_at);
-- A patient's referrals.
CREATE INDEX IF NOT EXISTS rm_referral_board_patient ON rm_referral_board (patient_key, requested_at DESC);
`;

/** Row field → column; the compiler makes sure every field has one. */
const COLUMNS: { readonly [K in keyof ReferralBoardRow]-?: string } = {
  referralId: 'referral_id',
  allianceId: 'alliance_id',
  direction: 'direction',
  sender: 'sender',
  receiver: 'receiver',
  patientKey: 'patient_key',
  status: 'status',
  priority: 'priority',
  reason: 'reason',
  requestedAt: 'requested_at',
  deadline: 'deadline',
  acceptedAt: 'accepted_at',
  scheduleKind: 'schedule_kind',
  bookedFor: 'booked_for',
  priorityChannel: 'priority_channel',
  arrivedAt: 'arrived_at',
  closedAt: 'closed_at',
  rejectionCode: 'rejection_code',
  rejectionText: 'rejection_text',
  acknowledgedAt: 'acknowledged_at',
  updatedAt: 'updated_at',
};
const FIELDS = Object.keys(COLUMNS) as (keyof ReferralBoardRow)[];
const TIMESTAMPS = new Set<keyof ReferralBoardRow>([
  'requestedAt',
  'deadline',
  'acceptedAt',
  'bookedFor',
  'arrivedAt',
  'closedAt',
  'acknowledgedAt',
  'updatedAt',
]);

/** Insert or replace a row: parameters from `referralBoardParams(row)`. */
export const REFERRAL_BOARD_UPSERT = /* sql */ `
INSERT INTO rm_referral_board (${FIELDS.map((f) => COLUMNS[f]).join(', ')})
VALUES (${FIELDS.map((_, i) => `$${i + 1}`).join(', ')})
ON CONFLICT (referral_id) DO UPDATE SET
  ${FIELDS.filter((f) => f !== 'referralId')
    .map((f) => `${COLUMNS[f]} = EXCLUDED.${COLUMNS[f]}`)
    .join(',\n  ')}`;

export function referralBoardParams(row: ReferralBoardRow): unknown[] {
  return FIELDS.map((field) => row[field]);
}

/** The row to evolve: `$1` = referral id. */
export const REFERRAL_BOARD_SELECT = /* sql */ `SELECT * FROM rm_referral_board WHERE referral_id = $1`;

/** Referrals the scheduler sends ExpireReferral for: `$1` = now. */
export const REFERRALS_DUE_FOR_EXPIRY = /* sql */ `
SELECT referral_id FROM rm_referral_board
WHERE status = 'requested' AND deadline <= $1
ORDER BY deadline
LIMIT 500`;

/** A row as `pg` returns it (snake_case, timestamps as Date) → ReferralBoardRow. */
export function referralBoardRowFrom(record: Readonly<Record<string, unknown>>): ReferralBoardRow {
  const row: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = record[COLUMNS[field]] ?? null;
    row[field] = TIMESTAMPS.has(field) && value instanceof Date ? value.toISOString() : value;
  }
  return row as unknown as ReferralBoardRow;
}
