import type { ReferralCommand } from './referral.commands';
import { referralDecider } from './referral.decider';
import { parseReferralEvent, type ReferralEvent } from './contracts';
import { specificationFor } from './testing/specification';
import * as f from './testing/referral.fixtures';

const given = specificationFor(referralDecider, {
  checkEvent: (event) => {
    const parsed = parseReferralEvent({ ...event, schemaVersion: 1 });
    return parsed.ok ? [] : parsed.problems;
  },
});

const { COMMUNITY, HOSPITAL, THIRD, REFERRAL_ID, at } = f;
const base = { referralId: REFERRAL_ID, now: at(4) };
const accept = (actor = HOSPITAL, now = at(4)): ReferralCommand => ({
  ...base,
  type: 'AcceptReferral',
  actor,
  now,
});
const reject = (actor = HOSPITAL, code = 'no-capacity' as const, text?: string): ReferralCommand => ({
  ...base,
  type: 'RejectReferral',
  actor,
  reason: { code, ...(text !== undefined ? { text } : {}) },
});
const schedule = (actor = HOSPITAL, bookedFor = at(24)): ReferralCommand => ({
  ...base,
  type: 'ScheduleReferral',
  actor,
  kind: 'admission',
  bookedFor,
  priorityChannel: true,
  department: '心内科',
});
const arrive = (actor = HOSPITAL): ReferralCommand => ({ ...base, type: 'RecordArrival', actor });
const complete = (actor = HOSPITAL): ReferralCommand => ({ ...base, type: 'CompleteReferral', actor });
const cancel = (actor = COMMUNITY, reason?: string): ReferralCommand => ({
  ...base,
  type: 'CancelReferral',
  actor,
  ...(reason !== undefined ? { reason } : {}),
});
const expire = (now: string): ReferralCommand => ({ type: 'ExpireReferral', referralId: REFERRAL_ID, now });
const acknowledge = (actor = COMMUNITY): ReferralCommand => ({
  ...base,
  type: 'AcknowledgeDownwardReferral',
  actor,
});
const withData = (event: ReferralEvent, data: object) =>
  ({ ...event, data: { ...event.data, ...data } }) as ReferralEvent;

describe('AcceptReferral', () => {
  it('the receiver accepts', () => given(f.requested).when(accept()).then(f.accepted(HOSPITAL, 4)));
  it('keeps the department the receiver names', () =>
    given(f.requested)
      .when({ ...accept(), department: '心内科' } as ReferralCommand)
      .then(withData(f.accepted(HOSPITAL, 4), { department: '心内科' })));
  it('a third institution cannot accept', () =>
    given(f.requested).when(accept(THIRD)).thenRejects('not-receiver'));
  it('the sender cannot accept its own referral', () =>
    given(f.requested).when(accept(COMMUNITY)).thenRejects('not-receiver'));
  it('an unknown referral is not found', () => given().when(accept()).thenRejects('not-found'));
  it('accepting again records nothing, also once booked or arrived', () => {
    given([f.requested, f.accepted()]).when(accept()).thenNothing();
    given([f.requested, f.accepted(), f.scheduled()]).when(accept()).thenNothing();
    given([f.requested, f.accepted(), f.arrived()]).when(accept()).thenNothing();
  });
  it('after the deadline the referral has expired, even before the expiry is recorded', () =>
    given(f.requested)
      .when(accept(HOSPITAL, at(48)))
      .thenRejects('terminal-state', /expired at 2026-03-04T01:00:00.000Z/));
  it('a minute before the deadline it is still in time', () =>
    given(f.requested)
      .when(accept(HOSPITAL, at(48 - 1 / 60)))
      .then(f.accepted(HOSPITAL, 48 - 1 / 60)));
});

describe('RejectReferral', () => {
  it('the receiver rejects, with reason code and text', () =>
    given(f.requested)
      .when(reject(HOSPITAL, 'no-capacity', '心内科床位已满'))
      .then(f.rejected('no-capacity', 4)));
  it('"other" needs a text; a text is at most 200 characters; codes come from the list', () => {
    given(f.requested)
      .when(reject(HOSPITAL, 'other' as never))
      .thenRejects('validation', /reason\.text/);
    given(f.requested)
      .when(reject(HOSPITAL, 'no-capacity', '满'.repeat(201)))
      .thenRejects('validation', /at most 200/);
    given(f.requested)
      .when(reject(HOSPITAL, 'busy' as never))
      .thenRejects('validation', /reason\.code/);
  });
  it('neither the sender nor a third institution can reject', () => {
    given(f.requested).when(reject(COMMUNITY)).thenRejects('not-receiver');
    given(f.requested).when(reject(THIRD)).thenRejects('not-receiver');
  });
  it('the same rejection again records nothing; another reason afterwards is refused', () => {
    given([f.requested, f.rejected()]).when(reject()).thenNothing();
    given([f.requested, f.rejected()])
      .when(reject(HOSPITAL, 'not-indicated' as never))
      .thenRejects('terminal-state');
  });
  it('an accepted referral is not rejected (the sender cancels it)', () =>
    given([f.requested, f.accepted()])
      .when(reject())
      .thenRejects('invalid-transition', /accepted/));
});

describe('ScheduleReferral', () => {
  it('the receiver books through the priority channel (三优先)', () =>
    given([f.requested, f.accepted()])
      .when(schedule())
      .then(f.scheduled(at(24), 4)));
  it('booking needs acceptance first', () =>
    given(f.requested)
      .when(schedule())
      .thenRejects('invalid-transition', /accept it before booking/));
  it('the same booking again records nothing; another time reschedules', () => {
    given([f.requested, f.accepted(), f.scheduled()]).when(schedule()).thenNothing();
    given([f.requested, f.accepted(), f.scheduled()])
      .when(schedule(HOSPITAL, at(30)))
      .then(f.scheduled(at(30), 4));
  });
  it('the same booking written in another time zone is the same booking', () =>
    given([f.requested, f.accepted(), f.scheduled('2026-03-03T01:00:00.000Z')])
      .when(schedule(HOSPITAL, '2026-03-03T09:00:00+08:00'))
      .thenNothing());
  it('no booking once the patient arrived', () =>
    given([f.requested, f.accepted(), f.arrived()]).when(schedule()).thenRejects('invalid-transition'));
  it('only the receiver books', () => {
    given([f.requested, f.accepted()]).when(schedule(COMMUNITY)).thenRejects('not-receiver');
    given([f.requested, f.accepted()]).when(schedule(THIRD)).thenRejects('not-receiver');
  });
  it('refuses an unknown kind of booking', () =>
    given([f.requested, f.accepted()])
      .when({ ...schedule(), kind: 'surgery' } as unknown as ReferralCommand)
      .thenRejects('validation', /kind/));
});

describe('RecordArrival', () => {
  it('the receiver records the arrival of a booked patient', () =>
    given([f.requested, f.accepted(), f.scheduled()]).when(arrive()).then(f.arrived(HOSPITAL, 4)));
  it('allowed without a booking: an accepted patient may come without an appointment', () =>
    given([f.requested, f.accepted()]).when(arrive()).then(f.arrived(HOSPITAL, 4)));
  it('not before acceptance', () => given(f.requested).when(arrive()).thenRejects('invalid-transition'));
  it('recording it again records nothing', () =>
    given([f.requested, f.accepted(), f.arrived()]).when(arrive()).thenNothing());
  it('only the receiver records it', () => {
    given([f.requested, f.accepted()]).when(arrive(COMMUNITY)).thenRejects('not-receiver');
    given([f.requested, f.accepted()]).when(arrive(THIRD)).thenRejects('not-receiver');
  });
});

describe('CompleteReferral', () => {
  it('the receiver completes after arrival', () =>
    given([f.requested, f.accepted(), f.arrived()]).when(complete()).then(f.completed(HOSPITAL, 4)));
  it('not before the patient arrived', () => {
    given([f.requested, f.accepted()]).when(complete()).thenRejects('invalid-transition');
    given([f.requested, f.accepted(), f.scheduled()]).when(complete()).thenRejects('invalid-transition');
  });
  it('completing again records nothing', () =>
    given([f.requested, f.accepted(), f.arrived(), f.completed()]).when(complete()).thenNothing());
  it('only the receiver completes', () =>
    given([f.requested, f.accepted(), f.arrived()]).when(complete(COMMUNITY)).thenRejects('not-receiver'));
});

describe('CancelReferral', () => {
  it.each([
    ['requested', [f.requested]],
    ['accepted', [f.requested, f.accepted()]],
    ['scheduled', [f.requested, f.accepted(), f.scheduled()]],
  ])('%s: the sender cancels it', (_, history) =>
    given(history)
      .when(cancel(COMMUNITY, '患者改变主意'))
      .then(withData(f.cancelled(COMMUNITY, 4), {})),
  );
  it('the receiver cannot cancel, nor a third institution', () => {
    given(f.requested).when(cancel(HOSPITAL)).thenRejects('not-sender');
    given(f.requested).when(cancel(THIRD)).thenRejects('not-sender');
  });
  it('not after the patient arrived', () =>
    given([f.requested, f.accepted(), f.arrived()])
      .when(cancel())
      .thenRejects('invalid-transition', /before arrival/));
  it('cancelling again records nothing', () =>
    given([f.requested, f.cancelled()]).when(cancel()).thenNothing());
  it('a reason is at most 200 characters', () =>
    given(f.requested)
      .when(cancel(COMMUNITY, 'x'.repeat(201)))
      .thenRejects('validation', /reason/));
});

describe('ModifyReferral (REF^I13)', () => {
  const modify = (actor = COMMUNITY, priority: 'stat' | 'routine' = 'stat'): ReferralCommand => ({
    ...base,
    type: 'ModifyReferral',
    actor,
    priority,
    reasonCode: [{ text: '急性心肌梗死' }],
    supportingInfo: [],
    documents: [],
  });
  it('the sender changes an open referral: ReferralModified with what it now asks', () =>
    given([f.requested, f.accepted()])
      .when(modify())
      .then({
        type: 'ReferralModified',
        data: {
          referralId: REFERRAL_ID,
          sender: COMMUNITY,
          modifiedAt: at(4),
          priority: 'stat',
          reasonCode: [{ text: '急性心肌梗死' }],
          supportingInfo: [],
          documents: [],
        },
      }));
  it('only the sender; not once closed or arrived; the same again records nothing', () => {
    given(f.requested).when(modify(HOSPITAL)).thenRejects('not-sender');
    given([f.requested, f.cancelled()]).when(modify()).thenRejects('terminal-state');
    given([f.requested, f.accepted(), f.arrived()])
      .when(modify())
      .thenRejects('invalid-transition', /arrived/);
    const sameAsRequested = {
      ...modify(),
      priority: 'urgent',
      reasonCode: f.reasonCode,
      supportingInfo: ['DiagnosticReport/lab-77', 'labreport-C-01-A1001'],
    } as ReferralCommand;
    given(f.requested).when(sameAsRequested).thenNothing();
  });
});

describe('ExpireReferral (the scheduler, nobody sends it)', () => {
  it('before the deadline: nothing', () =>
    given(f.requested)
      .when(expire(at(47.9)))
      .thenNothing());
  it('at the deadline: ReferralExpired', () =>
    given(f.requested).when(expire(f.DEADLINE)).then(f.expired(48)));
  it('after the deadline: ReferralExpired, recording when it was noticed', () =>
    given(f.requested)
      .when(expire(at(50)))
      .then(f.expired(50)));
  it('once expired: nothing', () =>
    given([f.requested, f.expired()])
      .when(expire(at(60)))
      .thenNothing());
  it.each([
    ['accepted', [f.requested, f.accepted()]],
    ['scheduled', [f.requested, f.accepted(), f.scheduled()]],
    ['arrived', [f.requested, f.accepted(), f.arrived()]],
  ])('answered in time (%s): nothing', (_, history) =>
    given(history)
      .when(expire(at(60)))
      .thenNothing(),
  );
  it('an unknown referral is not found', () =>
    given()
      .when(expire(at(60)))
      .thenRejects('not-found'));
});

describe('AcknowledgeDownwardReferral', () => {
  const downwardAccepted = [f.requestedDownward, f.accepted(COMMUNITY)];
  it('the receiving community centre acknowledges an accepted downward referral', () =>
    given(downwardAccepted).when(acknowledge()).then(f.acknowledged(4)));
  it('also once the patient arrived', () =>
    given([...downwardAccepted, f.arrived(COMMUNITY)])
      .when(acknowledge())
      .then(f.acknowledged(4)));
  it('not before acceptance', () =>
    given(f.requestedDownward)
      .when(acknowledge())
      .thenRejects('invalid-transition', /accept it/));
  it('only for a downward referral', () =>
    given([f.requested, f.accepted()])
      .when(acknowledge(HOSPITAL))
      .thenRejects('invalid-transition', /downward/));
  it('only by the receiver: not the sending hospital, not a third institution', () => {
    given(downwardAccepted).when(acknowledge(HOSPITAL)).thenRejects('not-receiver');
    given(downwardAccepted).when(acknowledge(THIRD)).thenRejects('not-receiver');
  });
  it('acknowledging again records nothing', () =>
    given([...downwardAccepted, f.acknowledged()])
      .when(acknowledge())
      .thenNothing());
});

describe('no transition out of a terminal state', () => {
  const histories: [string, ReferralEvent[]][] = [
    ['completed', [f.requested, f.accepted(), f.arrived(), f.completed()]],
    ['rejected', [f.requested, f.rejected()]],
    ['cancelled', [f.requested, f.cancelled()]],
    ['expired', [f.requested, f.expired()]],
  ];
  const commands: [string, ReferralCommand][] = [
    ['AcceptReferral', accept()],
    ['RejectReferral', reject(HOSPITAL, 'not-indicated' as never)],
    ['ScheduleReferral', schedule()],
    ['RecordArrival', arrive()],
    ['CompleteReferral', complete()],
    ['CancelReferral', cancel()],
    ['ExpireReferral', expire(at(60))],
  ];
  const repeats = new Set([
    'completed CompleteReferral',
    'cancelled CancelReferral',
    'expired ExpireReferral',
  ]);
  const cases = histories.flatMap(([status, history]) =>
    commands
      .filter(([name]) => !repeats.has(`${status} ${name}`))
      .map(([name, command]) => [status, name, history, command] as const),
  );
  it.each(cases)('%s → %s is refused', (_, __, history, command) =>
    given(history).when(command).thenRejects('terminal-state'),
  );
  it.each(histories)('%s downward referral → AcknowledgeDownwardReferral is refused', (status) => {
    const downward = histories
      .find(([s]) => s === status)![1]
      .map((e) =>
        e.type === 'ReferralRequested' ? f.requestedDownward : withData(e, { receiver: COMMUNITY }),
      );
    given(downward).when(acknowledge()).thenRejects('terminal-state');
  });
});
