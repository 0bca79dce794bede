import type { ReferralEvent } from './contracts';
import { evolveReferralBoard, type ReferralBoardRow } from './referral-board.projection';
import {
  bookedShareOfOutpatient,
  groupByPeriod,
  isOutpatientBooking,
  periodOf,
  referralKpis,
} from './referral-kpis';
import * as f from './testing/referral.fixtures';

const row = (events: ReferralEvent[], referralId: string): ReferralBoardRow => {
  const renamed = events.map((e) => ({ ...e, data: { ...e.data, referralId } }) as ReferralEvent);
  return renamed.reduce(evolveReferralBoard, null as ReferralBoardRow | null)!;
};

describe('periodOf', () => {
  it('cuts days and months in China Standard Time', () => {
    expect(periodOf('2026-03-31T15:59:59Z', 'day')).toBe('2026-03-31');
    expect(periodOf('2026-03-31T16:00:00Z', 'day')).toBe('2026-04-01');
    expect(periodOf('2026-03-31T16:00:00Z', 'month')).toBe('2026-04');
    expect(periodOf('2026-03-02T09:00:00+08:00', 'day')).toBe('2026-03-02');
  });
});

describe('referralKpis', () => {
  const booked = row([f.requested, f.accepted(), f.scheduled()], 'k1');
  const unbooked = row([f.requested, f.accepted()], 'k2');
  const downward = row([f.requestedDownward, f.accepted(f.COMMUNITY)], 'k3');
  const downwardOpen = row([f.requestedDownward], 'k4');

  it('counts bookings and the share booked through the priority channel', () => {
    const kpis = referralKpis([booked, unbooked]);
    expect(kpis).toMatchObject({ bookings: 1, priorityChannelBookings: 1, priorityChannelShare: 1 });
    expect(referralKpis([unbooked]).priorityChannelShare).toBeNull();
  });

  it('counts downward referrals and those the community centre accepted', () =>
    expect(referralKpis([booked, downward, downwardOpen])).toMatchObject({
      upward: 1,
      downward: 2,
      downwardAccepted: 1,
    }));
});

describe('groupByPeriod', () => {
  it('groups in period order', () => {
    const days = ['2026-03-03T01:00:00Z', '2026-03-01T23:00:00Z', '2026-03-02T02:00:00Z'];
    const groups = groupByPeriod(days, 'day', (d) => d);
    expect([...groups.keys()]).toEqual(['2026-03-02', '2026-03-03']);
    expect(groups.get('2026-03-02')).toHaveLength(2);
  });
});

describe('booked referrals as a share of outpatient volume', () => {
  it('counts appointment and examination bookings, not admissions', () => {
    const admission = row([f.requested, f.accepted(), f.scheduled()], 'b1');
    const appointment = { ...admission, scheduleKind: 'appointment' as const };
    expect([admission, appointment].filter(isOutpatientBooking)).toEqual([appointment]);
  });
  it('is null where no volume was reported', () => {
    expect(bookedShareOfOutpatient(30, 1200)).toBeCloseTo(0.025);
    expect(bookedShareOfOutpatient(3, null)).toBeNull();
    expect(bookedShareOfOutpatient(3, 0)).toBeNull();
  });
});
