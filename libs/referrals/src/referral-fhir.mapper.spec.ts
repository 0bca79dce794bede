import type { fhir4 } from '@yilian/contracts';
import { serviceRequestToCommand, type ServiceRequestContext } from './referral-fhir.mapper';
import { taskToCommand } from './referral-task.mapper';
import { REFERRAL_FHIR } from './referral-fhir.codes';
import { decideReferral } from './referral.decider';
import { initialReferralState } from './referral.state';
import * as f from './testing/referral.fixtures';

const context: ServiceRequestContext = {
  referralId: f.REFERRAL_ID,
  actor: f.COMMUNITY,
  now: f.T0,
  patientKey: f.PATIENT_KEY,
  allianceFacts: (sender, receiver) =>
    sender === f.COMMUNITY && receiver === f.HOSPITAL
      ? f.upwardFacts
      : sender === f.HOSPITAL && receiver === f.COMMUNITY
        ? f.downwardFacts
        : undefined,
};
const org = (code: string): fhir4.Reference => ({
  identifier: { system: REFERRAL_FHIR.institutionSystem, value: code },
});

/** An upward referral as a community centre's HIS sends it (no direction extension). */
const upward: fhir4.ServiceRequest = {
  resourceType: 'ServiceRequest',
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">张三, 男, 67岁</div>' },
  contained: [{ resourceType: 'Patient', id: 'p', name: [{ text: '张三' }] } as fhir4.Patient],
  status: 'active',
  intent: 'order',
  category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005' }] }],
  priority: 'urgent',
  subject: { reference: '#p' },
  requester: org(f.COMMUNITY),
  performer: [{ reference: `Organization/${f.HOSPITAL}` }],
  reasonCode: f.reasonCode,
  supportingInfo: [{ reference: 'DiagnosticReport/lab-77' }, { reference: 'ImagingStudy/ct-9' }],
};

const issuesOf = (sr: fhir4.ServiceRequest, ctx = context) => {
  const mapped = serviceRequestToCommand(sr, ctx);
  return mapped.ok ? [] : mapped.issues.map((i) => `${i.code} ${i.path}`);
};

describe('ServiceRequest → RequestReferral', () => {
  it('maps requester, performer, reason, priority and result references; direction from the levels', () => {
    const mapped = serviceRequestToCommand(upward, context);
    expect(mapped).toMatchObject({
      ok: true,
      command: {
        type: 'RequestReferral',
        actor: f.COMMUNITY,
        receiver: f.HOSPITAL,
        direction: 'upward',
        priority: 'urgent',
        reasonCode: f.reasonCode,
        supportingInfo: ['DiagnosticReport/lab-77', 'ImagingStudy/ct-9'],
        documents: [],
        alliance: f.upwardFacts,
      },
    });
    if (!mapped.ok) return;
    expect(decideReferral(mapped.command, initialReferralState())).toHaveLength(1);
  });

  it('keeps the ServiceRequest as sent but without what names the patient', () => {
    const mapped = serviceRequestToCommand(upward, context);
    const stored = mapped.ok ? mapped.command.serviceRequest : undefined;
    expect(JSON.stringify(stored)).not.toContain('张三');
    expect(stored?.subject).toEqual({
      type: 'Patient',
      identifier: { system: REFERRAL_FHIR.patientKeySystem, value: f.PATIENT_KEY },
    });
  });

  it('reads a downward referral: direction extension, discharge summary and follow-up plan', () => {
    const kind = (code: string) => [{ url: REFERRAL_FHIR.documentKindExtension, valueCode: code }];
    const downward: fhir4.ServiceRequest = {
      ...upward,
      extension: [{ url: REFERRAL_FHIR.directionExtension, valueCode: 'downward' }],
      requester: org(f.HOSPITAL),
      performer: [org(f.COMMUNITY)],
      supportingInfo: [
        { reference: 'DocumentReference/ds-1', display: '出院小结', extension: kind('discharge-summary') },
        { reference: 'DocumentReference/fp-1', display: '后续治疗方案', extension: kind('follow-up-plan') },
      ],
    };
    const mapped = serviceRequestToCommand(downward, { ...context, actor: f.HOSPITAL });
    expect(mapped).toMatchObject({
      ok: true,
      command: { direction: 'downward', documents: [f.dischargeSummary, f.followUpPlan], supportingInfo: [] },
    });
  });

  it('refuses a requester other than the authenticated institution', () =>
    expect(issuesOf({ ...upward, requester: org(f.THIRD) })).toEqual(['forbidden ServiceRequest.requester']));

  it('needs the receiving Organization as performer[0]', () => {
    expect(issuesOf({ ...upward, performer: [] })).toEqual(['required ServiceRequest.performer[0]']);
    expect(issuesOf({ ...upward, performer: [{ reference: 'Practitioner/dr-li' }] })).toEqual([
      'required ServiceRequest.performer[0]',
    ]);
  });

  it('collects every problem, each with its path', () =>
    expect(
      issuesOf({
        ...upward,
        category: [],
        reasonCode: [],
        supportingInfo: [{ reference: 'DiagnosticReport/lab-77' }, { reference: '#inline-report' }],
      }),
    ).toEqual([
      'required ServiceRequest.category',
      'required ServiceRequest.reasonCode',
      'invalid ServiceRequest.supportingInfo[1]',
    ]));

  it('between two institutions of the same level the direction must be sent', () => {
    const sameLevel = {
      ...context,
      allianceFacts: () => ({ ...f.upwardFacts, receiverLevel: 'primary' as const }),
    };
    expect(issuesOf(upward, sameLevel)).toEqual(['required ServiceRequest.extension']);
    const bad = { ...upward, extension: [{ url: REFERRAL_FHIR.directionExtension, valueCode: 'sideways' }] };
    expect(issuesOf(bad)).toEqual(['code-invalid ServiceRequest.extension[0].valueCode']);
  });

  it('a revoked ServiceRequest is not a new referral', () =>
    expect(issuesOf({ ...upward, status: 'revoked' })).toEqual(['not-supported ServiceRequest.status']));
});

describe('Task update → command', () => {
  const task = (over: Partial<fhir4.Task>): fhir4.Task => ({
    resourceType: 'Task',
    status: 'accepted',
    intent: 'order',
    focus: { reference: `ServiceRequest/${f.REFERRAL_ID}` },
    ...over,
  });
  const status = (code: string) => ({ coding: [{ system: REFERRAL_FHIR.statusSystem, code }] });
  const out = (code: string, value: Omit<fhir4.TaskOutput, 'type'>): fhir4.TaskOutput => ({
    type: { coding: [{ system: REFERRAL_FHIR.taskParameterSystem, code }] },
    ...value,
  });
  const map = (t: fhir4.Task) => taskToCommand(t, { actor: f.HOSPITAL, now: f.at(4) });
  const base = { referralId: f.REFERRAL_ID, actor: f.HOSPITAL, now: f.at(4) };

  it('accepted → AcceptReferral', () =>
    expect(map(task({}))).toEqual({ ok: true, command: { ...base, type: 'AcceptReferral' } }));

  it('rejected → RejectReferral with the statusReason code and text', () => {
    const statusReason = {
      coding: [{ system: REFERRAL_FHIR.rejectionReasonSystem, code: 'no-capacity' }],
      text: '床位已满',
    };
    expect(map(task({ status: 'rejected', statusReason }))).toEqual({
      ok: true,
      command: { ...base, type: 'RejectReferral', reason: { code: 'no-capacity', text: '床位已满' } },
    });
  });

  it('a rejection with only a text is "other"; with an unknown code or no reason it is refused', () => {
    expect(map(task({ status: 'rejected', statusReason: { text: '专家出诊' } }))).toMatchObject({
      command: { reason: { code: 'other', text: '专家出诊' } },
    });
    const unknown = { coding: [{ system: REFERRAL_FHIR.rejectionReasonSystem, code: 'busy' }] };
    expect(map(task({ status: 'rejected', statusReason: unknown }))).toMatchObject({
      issues: [{ code: 'code-invalid', path: 'Task.statusReason.coding' }],
    });
    expect(map(task({ status: 'rejected' }))).toMatchObject({ issues: [{ path: 'Task.statusReason' }] });
  });

  it('in-progress + scheduled → ScheduleReferral from the outputs', () => {
    const output = [
      out('schedule-kind', { valueCode: 'examination' }),
      out('booked-for', { valueDateTime: f.at(20) }),
      out('priority-channel', { valueBoolean: true }),
      out('department', { valueString: '影像科' }),
    ];
    expect(map(task({ status: 'in-progress', businessStatus: status('scheduled'), output }))).toEqual({
      ok: true,
      command: {
        ...base,
        type: 'ScheduleReferral',
        kind: 'examination',
        bookedFor: f.at(20),
        priorityChannel: true,
        department: '影像科',
      },
    });
    expect(
      map(task({ status: 'in-progress', businessStatus: status('scheduled'), output: output.slice(0, 1) })),
    ).toMatchObject({ issues: [{ code: 'required', path: 'Task.output' }] });
    const badKind = [out('schedule-kind', { valueCode: 'surgery' }), ...output.slice(1)];
    expect(
      map(task({ status: 'in-progress', businessStatus: status('scheduled'), output: badKind })),
    ).toMatchObject({ issues: [{ path: 'Task.output[0]' }] });
  });

  it.each([
    ['in-progress', 'arrived', 'RecordArrival'],
    ['completed', 'none', 'CompleteReferral'],
    ['cancelled', 'none', 'CancelReferral'],
    ['accepted', 'acknowledged', 'AcknowledgeDownwardReferral'],
    ['in-progress', 'acknowledged', 'AcknowledgeDownwardReferral'],
  ] as const)('%s, businessStatus %s → %s', (taskStatus, business, type) =>
    expect(
      map(task({ status: taskStatus, ...(business !== 'none' ? { businessStatus: status(business) } : {}) })),
    ).toEqual({
      ok: true,
      command: { ...base, type },
    }),
  );

  it('a cancellation carries its reason text', () =>
    expect(map(task({ status: 'cancelled', statusReason: { text: '患者转往他院' } }))).toMatchObject({
      command: { type: 'CancelReferral', reason: '患者转往他院' },
    }));

  it('refuses what maps to no command, naming the element', () => {
    expect(map(task({ focus: undefined }))).toMatchObject({ issues: [{ path: 'Task.focus' }] });
    expect(map(task({ status: 'failed', businessStatus: status('expired') }))).toMatchObject({
      issues: [{ code: 'not-supported', path: 'Task.status' }],
    });
    expect(map(task({ status: 'in-progress' }))).toMatchObject({ issues: [{ path: 'Task.businessStatus' }] });
  });
});
