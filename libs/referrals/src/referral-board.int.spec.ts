import { Client } from 'pg';
import { createTestDatabase } from '@yilian/testing';
import type { ReferralEvent } from './contracts';
import { evolveReferralBoard, type ReferralBoardRow } from './referral-board.projection';
import {
  REFERRAL_BOARD_DDL,
  REFERRAL_BOARD_SELECT,
  REFERRAL_BOARD_UPSERT,
  referralBoardParams,
  referralBoardRowFrom,
  REFERRALS_DUE_FOR_EXPIRY,
} from './referral-board.sql';
import * as f from './testing/referral.fixtures';

// The board's SQL on a real PostgreSQL: the DDL applies (twice), the upsert round-trips a row,
// and the inbox and expiry queries answer from it.
let client: Client;
beforeAll(async () => {
  client = new Client({ connectionString: await createTestDatabase('referral_board') });
  await client.connect();
  await client.query(REFERRAL_BOARD_DDL);
  await client.query(REFERRAL_BOARD_DDL);
});
afterAll(() => client?.end());

async function project(referralId: string, events: ReferralEvent[]): Promise<ReferralBoardRow> {
  for (const event of events) {
    const renamed = { ...event, data: { ...event.data, referralId } } as ReferralEvent;
    const { rows } = await client.query(REFERRAL_BOARD_SELECT, [referralId]);
    const next = evolveReferralBoard(rows[0] ? referralBoardRowFrom(rows[0]) : null, renamed);
    if (next) await client.query(REFERRAL_BOARD_UPSERT, referralBoardParams(next));
  }
  const { rows } = await client.query(REFERRAL_BOARD_SELECT, [referralId]);
  return referralBoardRowFrom(rows[0]);
}

it('stores and reads back a row through its lifecycle', async () => {
  const stored = await project('int-1', [f.requested, f.accepted(), f.scheduled()]);
  expect(stored).toMatchObject({
    referralId: 'int-1',
    status: 'scheduled',
    priorityChannel: true,
    receiver: f.HOSPITAL,
  });
  expect(Date.parse(stored.bookedFor!)).toBe(Date.parse(f.at(24)));
});

it('answers the inbox and the expiry scheduler', async () => {
  await project('int-2', [f.requested]);
  await project('int-3', [f.requested, f.rejected()]);
  const inbox = await client.query(
    `SELECT referral_id FROM rm_referral_board WHERE receiver = $1 AND status = 'requested' ORDER BY requested_at DESC`,
    [f.HOSPITAL],
  );
  expect(inbox.rows.map((r) => r.referral_id)).toEqual(['int-2']);
  expect((await client.query(REFERRALS_DUE_FOR_EXPIRY, [f.at(47)])).rows).toEqual([]);
  expect((await client.query(REFERRALS_DUE_FOR_EXPIRY, [f.DEADLINE])).rows).toEqual([
    { referral_id: 'int-2' },
  ]);
});
