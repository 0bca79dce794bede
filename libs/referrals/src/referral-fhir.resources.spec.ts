import type { ReferralEvent } from './contracts';
import { referralToServiceRequest, referralToTask } from './referral-fhir.resources';
import { REFERRAL_FHIR } from './referral-fhir.codes';
import { taskToCommand } from './referral-task.mapper';
import { decideReferral } from './referral.decider';
import { evolveReferral, initialReferralState, type ExistingReferral } from './referral.state';
import * as f from './testing/referral.fixtures';

const replay = (events: ReferralEvent[]) =>
  events.reduce(evolveReferral, initialReferralState()) as ExistingReferral;
const org = (code: string) => ({
  type: 'Organization',
  identifier: { system: REFERRAL_FHIR.institutionSystem, value: code },
});

describe('referralToServiceRequest', () => {
  it('shows what was asked: category referral, requester, performer, reason, supporting references', () =>
    expect(referralToServiceRequest(replay([f.requested]))).toEqual({
      resourceType: 'ServiceRequest',
      id: f.REFERRAL_ID,
      extension: [{ url: REFERRAL_FHIR.directionExtension, valueCode: 'upward' }],
      status: 'active',
      intent: 'order',
      category: [
        { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] },
      ],
      priority: 'urgent',
      subject: {
        type: 'Patient',
        identifier: { system: REFERRAL_FHIR.patientKeySystem, value: f.PATIENT_KEY },
      },
      authoredOn: f.T0,
      requester: org(f.COMMUNITY),
      performer: [org(f.HOSPITAL)],
      reasonCode: f.reasonCode,
      supportingInfo: [{ reference: 'DiagnosticReport/lab-77' }, { reference: 'labreport-C-01-A1001' }],
    }));
  it('lists the documents of a downward referral with their kind', () =>
    expect(referralToServiceRequest(replay([f.requestedDownward])).supportingInfo).toEqual([
      {
        reference: 'DocumentReference/ds-1',
        display: '出院小结',
        extension: [{ url: REFERRAL_FHIR.documentKindExtension, valueCode: 'discharge-summary' }],
      },
      {
        reference: 'DocumentReference/fp-1',
        display: '后续治疗方案',
        extension: [{ url: REFERRAL_FHIR.documentKindExtension, valueCode: 'follow-up-plan' }],
      },
    ]));
  it.each([
    ['completed', 'completed', [f.requested, f.accepted(), f.arrived(), f.completed()]],
    ['rejected', 'revoked', [f.requested, f.rejected()]],
    ['expired', 'revoked', [f.requested, f.expired()]],
  ])('%s: ServiceRequest.status %s', (_, status, events) =>
    expect(referralToServiceRequest(replay(events)).status).toBe(status),
  );
});

describe('referralToTask', () => {
  it('a requested referral: Task requested, owned by the receiver, due by the deadline', () =>
    expect(referralToTask(replay([f.requested]))).toMatchObject({
      id: f.REFERRAL_ID,
      status: 'requested',
      businessStatus: {
        coding: [
          { system: REFERRAL_FHIR.statusSystem, code: 'requested', display: '待接诊' },
          { system: REFERRAL_FHIR.cnActivitySystem, code: 'C01001' },
        ],
      },
      focus: { reference: `ServiceRequest/${f.REFERRAL_ID}` },
      requester: org(f.COMMUNITY),
      owner: org(f.HOSPITAL),
      restriction: { period: { end: f.DEADLINE } },
      lastModified: f.T0,
    }));
  it('an expired referral: failed, businessStatus expired, with why', () =>
    expect(referralToTask(replay([f.requested, f.expired()]))).toMatchObject({
      status: 'failed',
      businessStatus: { coding: [{ code: 'expired' }] },
      statusReason: { text: `no answer before ${f.DEADLINE}` },
      lastModified: f.at(48),
    }));
  it('shows the acknowledgement of a downward referral as an output', () =>
    expect(
      referralToTask(replay([f.requestedDownward, f.accepted(f.COMMUNITY), f.acknowledged(5)])).output,
    ).toContainEqual({
      type: { coding: [{ system: REFERRAL_FHIR.taskParameterSystem, code: 'acknowledged-at' }] },
      valueDateTime: f.at(5),
    }));

  // Read ↔ write: the Task shown for a state, sent back by the right institution at the right
  // moment, is the command that leads to that state.
  const steps: [string, ReferralEvent[], ReferralEvent, string, string][] = [
    ['accepted', [f.requested], f.accepted(), f.HOSPITAL, f.at(2)],
    ['rejected', [f.requested], f.rejected(), f.HOSPITAL, f.at(2)],
    ['scheduled', [f.requested, f.accepted()], f.scheduled(), f.HOSPITAL, f.at(3)],
    ['arrived', [f.requested, f.accepted(), f.scheduled()], f.arrived(), f.HOSPITAL, f.at(24)],
    ['completed', [f.requested, f.accepted(), f.arrived()], f.completed(), f.HOSPITAL, f.at(120)],
    ['cancelled', [f.requested, f.accepted()], f.cancelled(), f.COMMUNITY, f.at(1)],
  ];
  it.each(steps)('the %s Task maps back to the command that records it', (_, before, event, actor, now) => {
    const mapped = taskToCommand(referralToTask(replay([...before, event])), { actor, now });
    expect(mapped.ok).toBe(true);
    if (mapped.ok) expect(decideReferral(mapped.command, replay(before))).toEqual([event]);
  });
});
