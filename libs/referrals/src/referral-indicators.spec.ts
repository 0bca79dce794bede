import type { ReferralEvent } from './contracts';
import { evolveReferralBoard, type ReferralBoardRow } from './referral-board.projection';
import { median, percentile, referralIndicators, summarizeHours } from './referral-indicators';
import * as f from './testing/referral.fixtures';

const row = (events: ReferralEvent[], referralId: string): ReferralBoardRow => {
  const renamed = events.map((e) => ({ ...e, data: { ...e.data, referralId } }) as ReferralEvent);
  return renamed.reduce(evolveReferralBoard, null as ReferralBoardRow | null)!;
};

describe('percentile', () => {
  it('interpolates between ranks as percentile_cont does', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBeCloseTo(91);
    expect(percentile([5], 0.9)).toBe(5);
  });
  it('does not depend on the order of the values', () => expect(median([9, 1, 5])).toBe(5));
  it('is null without values, and refuses p outside 0..1', () => {
    expect(summarizeHours([])).toEqual({ count: 0, medianHours: null, p90Hours: null });
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });
});

describe('referralIndicators', () => {
  const rows = [
    row(
      [f.requested, f.accepted(undefined, 2), f.scheduled(), f.arrived(undefined, 24), f.completed()],
      'r1',
    ),
    row([f.requested, f.accepted(undefined, 4), f.arrived(undefined, 30)], 'r2'),
    row([f.requested, f.accepted(undefined, 12), f.cancelled(f.COMMUNITY, 13)], 'r3'),
    row([f.requested, f.rejected('no-capacity')], 'r4'),
    row([f.requested, f.rejected('no-capacity')], 'r5'),
    row([f.requested, f.rejected('beyond-capability')], 'r6'),
    row([f.requested, f.expired()], 'r7'),
    row([f.requested, f.cancelled()], 'r8'),
    row([f.requested], 'r9'),
    row([f.requestedDownward, f.accepted(f.COMMUNITY, 1)], 'r10'),
  ];
  const indicators = referralIndicators(rows);

  it('counts referrals by direction', () =>
    expect(indicators).toMatchObject({ total: 10, upward: 9, downward: 1, expired: 1, cancelled: 2 }));
  it('times request → acceptance over accepted referrals: hours 1, 2, 4, 12', () =>
    expect(indicators.toAcceptance).toEqual({
      count: 4,
      medianHours: 3,
      p90Hours: expect.closeTo(9.6) as number,
    }));
  it('times request → arrival over arrived referrals: hours 24, 30', () =>
    expect(indicators.toArrival).toEqual({
      count: 2,
      medianHours: 27,
      p90Hours: expect.closeTo(29.4) as number,
    }));
  it('acceptance rate: 4 accepted of 8 answered or expired (pending and early cancels left out)', () =>
    expect(indicators.acceptanceRate).toBe(4 / 8));
  it('counts rejection reasons by code', () =>
    expect(indicators.rejectionReasons).toEqual({ 'no-capacity': 2, 'beyond-capability': 1 }));
  it('counts bookings through the three-priorities channel', () =>
    expect(indicators.priorityChannelBookings).toBe(1));
  it('has no rate when nothing was answered', () => expect(referralIndicators([]).acceptanceRate).toBeNull());
});
