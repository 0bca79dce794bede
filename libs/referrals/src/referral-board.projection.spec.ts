import type { ReferralEvent } from './contracts';
import {
  canHandleReferralBoard,
  evolveReferralBoard,
  type ReferralBoardRow,
} from './referral-board.projection';
import { REFERRAL_BOARD_UPSERT, referralBoardParams, referralBoardRowFrom } from './referral-board.sql';
import { evolveReferral, initialReferralState } from './referral.state';
import * as f from './testing/referral.fixtures';

const board = (events: ReferralEvent[]) =>
  events.reduce(evolveReferralBoard, null as ReferralBoardRow | null);

describe('evolveReferralBoard', () => {
  it('a request opens a row for the inbox of the receiver and the outbox of the sender', () =>
    expect(board([f.requested])).toEqual({
      referralId: f.REFERRAL_ID,
      allianceId: 'HZ-UG-1',
      direction: 'upward',
      sender: f.COMMUNITY,
      receiver: f.HOSPITAL,
      patientKey: f.PATIENT_KEY,
      status: 'requested',
      priority: 'urgent',
      reason: '急性心肌梗死',
      requestedAt: f.T0,
      deadline: f.DEADLINE,
      acceptedAt: null,
      scheduleKind: null,
      bookedFor: null,
      priorityChannel: false,
      arrivedAt: null,
      closedAt: null,
      rejectionCode: null,
      rejectionText: null,
      acknowledgedAt: null,
      updatedAt: f.T0,
    }));

  it('follows acceptance, booking, arrival and completion', () =>
    expect(board([f.requested, f.accepted(), f.scheduled(), f.arrived(), f.completed()])).toMatchObject({
      status: 'completed',
      acceptedAt: f.at(2),
      scheduleKind: 'admission',
      bookedFor: f.at(24),
      priorityChannel: true,
      arrivedAt: f.at(24),
      closedAt: f.at(120),
      updatedAt: f.at(120),
    }));

  it.each([
    [
      'rejected',
      [f.requested, f.rejected()],
      { rejectionCode: 'no-capacity', rejectionText: '心内科床位已满', closedAt: f.at(2) },
    ],
    ['cancelled', [f.requested, f.accepted(), f.cancelled(f.COMMUNITY, 3)], { closedAt: f.at(3) }],
    ['expired', [f.requested, f.expired(49)], { closedAt: f.at(49) }],
  ])('%s closes the row', (status, events, fields) =>
    expect(board(events)).toMatchObject({ status, ...fields }),
  );

  it('an acknowledgement is noted, the status stays', () =>
    expect(board([f.requestedDownward, f.accepted(f.COMMUNITY), f.acknowledged(5)])).toMatchObject({
      status: 'accepted',
      acknowledgedAt: f.at(5),
    }));

  it('never goes back: an event out of place or a second request changes nothing', () => {
    const done = board([f.requested, f.accepted(), f.arrived(), f.completed()]);
    expect(evolveReferralBoard(done, f.accepted())).toBe(done);
    expect(evolveReferralBoard(done, f.requested)).toBe(done);
    expect(board([f.accepted()])).toBeNull();
  });

  it.each([
    [[f.requested, f.accepted(), f.scheduled()]],
    [[f.requested, f.rejected(), f.accepted()]],
    [[f.requested, f.cancelled(), f.expired()]],
    [[f.requested, f.accepted(), f.arrived(), f.cancelled()]],
  ])('shows the status the aggregate has (%#)', (events) =>
    expect(board(events)?.status).toBe(events.reduce(evolveReferral, initialReferralState()).status),
  );

  it('handles every referral event and nothing else', () => {
    expect(canHandleReferralBoard({ type: 'ReferralExpired' })).toBe(true);
    expect(canHandleReferralBoard({ type: 'LabReportRecorded' })).toBe(false);
  });
});

describe('referral board SQL', () => {
  const row = board([f.requested, f.accepted(), f.scheduled()])!;
  it('the upsert takes one parameter per column, in column order', () => {
    const columns = /INSERT INTO rm_referral_board \(([^)]+)\)/.exec(REFERRAL_BOARD_UPSERT)![1]!.split(', ');
    const params = referralBoardParams(row);
    expect(params).toHaveLength(columns.length);
    expect(params[columns.indexOf('receiver')]).toBe(f.HOSPITAL);
    expect(params[columns.indexOf('booked_for')]).toBe(f.at(24));
    expect(REFERRAL_BOARD_UPSERT).toContain(`$${columns.length})`);
  });
  it('reads back a row as pg returns it (timestamps as Date)', () => {
    const record: Record<string, unknown> = {
      ...Object.fromEntries(
        /INSERT INTO rm_referral_board \(([^)]+)\)/
          .exec(REFERRAL_BOARD_UPSERT)![1]!
          .split(', ')
          .map((column, i) => [column, referralBoardParams(row)[i]]),
      ),
      requested_at: new Date(row.requestedAt),
      accepted_at: new Date(row.acceptedAt!),
    };
    expect(referralBoardRowFrom(record)).toEqual({
      ...row,
      requestedAt: new Date(row.requestedAt).toISOString(),
    });
  });
});
