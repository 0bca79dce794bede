import { evolveReferral, initialReferralState, isTerminal, referralStateFrom } from './referral.state';
import type { ReferralEvent } from './contracts';
import * as f from './testing/referral.fixtures';

const replay = (events: ReferralEvent[]) => events.reduce(evolveReferral, initialReferralState());
const recorded = (events: ReferralEvent[]) => events.map((e) => ({ ...e, schemaVersion: 1 }));

describe('evolveReferral', () => {
  it('replays a whole upward referral: request, acceptance, booking, arrival, completion', () => {
    const state = replay([f.requested, f.accepted(), f.scheduled(), f.arrived(), f.completed()]);
    expect(state).toMatchObject({
      status: 'completed',
      request: { referralId: f.REFERRAL_ID, sender: f.COMMUNITY, receiver: f.HOSPITAL, deadline: f.DEADLINE },
      acceptedAt: f.at(2),
      schedule: { kind: 'admission', bookedFor: f.at(24), priorityChannel: true, department: '心内科' },
      arrivedAt: f.at(24),
      completedAt: f.at(120),
    });
    expect(isTerminal(state)).toBe(true);
  });

  it('a later booking replaces the earlier one', () =>
    expect(replay([f.requested, f.accepted(), f.scheduled(f.at(24)), f.scheduled(f.at(30))])).toMatchObject({
      status: 'scheduled',
      schedule: { bookedFor: f.at(30) },
    }));

  it('keeps the acknowledgement of a downward referral beside its status', () =>
    expect(replay([f.requestedDownward, f.accepted(f.COMMUNITY), f.acknowledged()])).toMatchObject({
      status: 'accepted',
      acknowledgedAt: f.at(3),
    }));

  it('events that do not fit the state change nothing (replay never throws)', () => {
    expect(replay([f.accepted()])).toEqual({ status: 'none' });
    const rejected = replay([f.requested, f.rejected()]);
    expect(replay([f.requested, f.rejected(), f.accepted(), f.arrived(), f.requested])).toEqual(rejected);
  });
});

describe('referralStateFrom', () => {
  it('folds recorded envelopes', () =>
    expect(referralStateFrom(recorded([f.requested, f.cancelled()]))).toMatchObject({
      status: 'cancelled',
      cancelReason: '患者改变主意',
    }));
  it('throws on a stream holding an invalid event, naming the field', () =>
    expect(() =>
      referralStateFrom([
        { type: 'ReferralAccepted', schemaVersion: 1, data: { referralId: f.REFERRAL_ID } },
      ]),
    ).toThrow(/data\.receiver/));
});
