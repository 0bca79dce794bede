import type { ReferralEvent } from '../contracts';
import { evolveReferralBoard, type ReferralBoardRow } from '../referral-board.projection';
import * as f from '../testing/referral.fixtures';
import { boardItem, referralBoardQuery } from './referral-board.view';

const row = (events: ReferralEvent[]): ReferralBoardRow =>
  events.reduce(evolveReferralBoard, null as ReferralBoardRow | null)!;

describe('boardItem', () => {
  it('waits until now while unanswered, and is overdue from the deadline on', () => {
    expect(boardItem(row([f.requested]), f.at(10))).toMatchObject({ waitingHours: 10, overdue: false });
    expect(boardItem(row([f.requested]), f.DEADLINE)).toMatchObject({
      waitingHours: 48,
      overdueResponse: true,
      overdue: true,
    });
  });
  it('stops waiting at the answer', () => {
    expect(boardItem(row([f.requested, f.accepted(undefined, 2.5)]), f.at(100)).waitingHours).toBe(2.5);
    expect(boardItem(row([f.requested, f.rejected()]), f.at(100)).waitingHours).toBe(2);
  });
  it('is overdue for arrival once the booked time has passed without one', () => {
    const booked = row([f.requested, f.accepted(), f.scheduled(f.at(24))]);
    expect(boardItem(booked, f.at(23)).overdueArrival).toBe(false);
    expect(boardItem(booked, f.at(25))).toMatchObject({ overdueArrival: true, overdue: true });
    expect(boardItem(row([f.requested, f.accepted(), f.scheduled(), f.arrived()]), f.at(25)).overdue).toBe(
      false,
    );
  });
});

describe('referralBoardQuery', () => {
  it('filters an inbox by status, direction and overdue, with paging parameters last', () => {
    const q = referralBoardQuery({
      institution: 'H001',
      box: 'inbox',
      statuses: ['requested', 'scheduled'],
      direction: 'upward',
      overdue: true,
      now: f.T0,
      limit: 20,
      offset: 40,
    });
    expect(q.text).toContain('receiver = $1');
    expect(q.text).toContain('status = ANY($2::text[])');
    expect(q.text).toContain('direction = $3');
    expect(q.text).toContain('deadline <= $4');
    expect(q.text).toMatch(/LIMIT \$5 OFFSET \$6/);
    expect(q.params).toEqual(['H001', ['requested', 'scheduled'], 'upward', f.T0, 20, 40]);
  });
  it('reads an outbox with no filter', () => {
    const q = referralBoardQuery({ institution: 'C002', box: 'outbox', now: f.T0, limit: 10, offset: 0 });
    expect(q.text).toContain('sender = $1');
    expect(q.params).toEqual(['C002', 10, 0]);
  });
});
