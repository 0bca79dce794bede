import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { REFERRAL_FHIR } from '@yilian/referrals';
import { labReportBundle, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import {
  call,
  eventually,
  KEYS,
  keyer,
  patientWithResidentId,
  platformClient,
  referralBundle,
  type ReferralsHub,
  serviceRequest,
  setUpAlliance,
  startReferralsHub,
  task,
  taskOutput,
} from './referrals-harness';

// Two institutions drive an upward and a downward referral over FHIR with their own keys; the
// platform reads them back with fhir-kit-client; a third institution is refused.
const patientKey = keyer.forResidentId(SAMPLE_RESIDENT_ID);
const UP = 'C002.ZZ-UP-1';
const DOWN = 'H001.ZZ-DOWN-1';

describe('referrals over FHIR R4, end to end on the hub', () => {
  let hub: ReferralsHub;
  beforeAll(async () => {
    hub = await startReferralsHub('referrals_fhir');
    await setUpAlliance(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const types = async (referralId: string) =>
    (await hub.store.readStream(`referral-${referralId}`)).map((e) => e.type);
  const put = (id: string, body: fhir4.Task, key: string) => call(hub, 'PUT', `/fhir/Task/${id}`, key, body);

  it('upward: C002 refers with its lab report referenced; H001 accepts, books, records arrival, completes', async () => {
    const lab = await call(
      hub,
      'POST',
      '/fhir',
      KEYS.C002,
      labReportBundle({ accession: 'CL-1', institution: 'C002', residentId: SAMPLE_RESIDENT_ID }),
    );
    expect(lab.status).toBe(201);
    const sr = serviceRequest({
      number: 'ZZ-UP-1',
      sender: 'C002',
      receiver: 'H001',
      subject: { reference: 'Patient/placeholder' },
      supportingInfo: [{ reference: 'DiagnosticReport/C002.CL-1' }],
    });
    const created = await call<fhir4.Bundle>(
      hub,
      'POST',
      '/fhir',
      KEYS.C002,
      referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`ServiceRequest/${UP}/_history/1`);
    expect(created.body.entry!.map((e) => e.response!.location)).toEqual([
      `Patient/${fhirPatientId(patientKey)}`,
      `ServiceRequest/${UP}/_history/1`,
      `Task/${UP}/_history/1`,
    ]);
    const again = await call(
      hub,
      'POST',
      '/fhir',
      KEYS.C002,
      referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
    );
    expect(again.status).toBe(200);
    expect(await types(UP)).toEqual(['ReferralRequested']);

    const accepted = await put(UP, task(UP, 'accepted'), KEYS.H001);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ resourceType: 'Task', status: 'accepted' });
    expect(accepted.headers.get('etag')).toBe('W/"2"');
    const booking = task(
      UP,
      'in-progress',
      {
        output: [
          taskOutput('schedule-kind', { valueCode: 'appointment' }),
          taskOutput('booked-for', { valueDateTime: '2026-12-01T09:30:00+08:00' }),
          taskOutput('priority-channel', { valueBoolean: true }),
          taskOutput('department', { valueString: '心内科' }),
        ],
      },
      'scheduled',
    );
    expect((await put(UP, booking, KEYS.H001)).status).toBe(200);
    expect((await put(UP, task(UP, 'in-progress', {}, 'arrived'), KEYS.H001)).status).toBe(200);
    const done: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: task(UP, 'completed'), request: { method: 'PUT', url: `Task/${UP}` } }],
    };
    const completed = await call<fhir4.Bundle>(hub, 'POST', '/fhir', KEYS.H001, done);
    expect(completed.status).toBe(200);
    expect(completed.body.entry![0]!.response!.location).toBe(`Task/${UP}/_history/5`);
    expect(await types(UP)).toEqual([
      'ReferralRequested',
      'ReferralAccepted',
      'ReferralScheduled',
      'ReferralArrived',
      'ReferralCompleted',
    ]);
    const events = await hub.store.readStream(`referral-${UP}`);
    expect(events.every((e) => e.metadata.patientKey === patientKey)).toBe(true);
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(SAMPLE_RESIDENT_ID);
  });

  it('the platform finds the referral with FHIR search and reads the Task _history', async () => {
    const client = platformClient(hub);
    const found = await eventually(
      async () =>
        (await client.search({
          resourceType: 'ServiceRequest',
          searchParams: { patient: `Patient/${patientKey}` },
        })) as fhir4.Bundle,
      (b) => (b.entry ?? []).some((e) => (e.resource as fhir4.ServiceRequest).status === 'completed'),
    );
    const request = found.entry!.map((e) => e.resource as fhir4.ServiceRequest).find((r) => r.id === UP)!;
    expect(request).toMatchObject({
      status: 'completed',
      requester: { identifier: { value: 'C002' } },
      performer: [{ identifier: { value: 'H001' } }],
      subject: { identifier: { system: REFERRAL_FHIR.patientKeySystem, value: fhirPatientId(patientKey) } },
      supportingInfo: [{ reference: 'DiagnosticReport/C002.CL-1' }],
    });
    const tasks = (await client.search({
      resourceType: 'Task',
      searchParams: { owner: 'Organization/H001', status: 'completed' },
    })) as fhir4.Bundle;
    expect(tasks.entry!.map((e) => e.resource!.id)).toEqual([UP]);
    const history = (await client.history({ resourceType: 'Task', id: UP })) as fhir4.Bundle;
    const steps = history.entry!.map((e) => (e.resource as fhir4.Task).businessStatus?.coding?.[0]?.code);
    expect(steps).toEqual(['completed', 'arrived', 'scheduled', 'accepted', 'requested']);
    const booked = history.entry![2]!.resource as fhir4.Task;
    expect(booked.output).toEqual(
      expect.arrayContaining([taskOutput('priority-channel', { valueBoolean: true })]),
    );
    const srHistory = (await client.history({ resourceType: 'ServiceRequest', id: UP })) as fhir4.Bundle;
    expect(srHistory.entry!.map((e) => (e.resource as fhir4.ServiceRequest).status)).toEqual([
      'completed',
      'active',
      'active',
    ]);
    expect(JSON.stringify([found, tasks, history])).not.toContain(SAMPLE_RESIDENT_ID);
  });

  it('the referral points at the lab report, so the receiver reads its corrected version', async () => {
    const corrected = labReportBundle({
      accession: 'CL-1',
      institution: 'C002',
      residentId: SAMPLE_RESIDENT_ID,
      status: 'corrected',
      potassium: 3.1,
    });
    expect((await call(hub, 'POST', '/fhir', KEYS.C002, corrected)).status).toBe(201);
    const client = platformClient(hub);
    const request = (await client.read({ resourceType: 'ServiceRequest', id: UP })) as fhir4.ServiceRequest;
    const [type, id] = request.supportingInfo![0]!.reference!.split('/');
    const report = await eventually(
      async () => (await client.read({ resourceType: type!, id: id! })) as fhir4.DiagnosticReport,
      (r) => r.status === 'corrected',
    );
    expect(report.status).toBe('corrected');
  });

  it('downward: H001 sends the discharge summary and plan; C002 accepts and acknowledges from the console', async () => {
    const kind = (code: string) => [{ url: REFERRAL_FHIR.documentKindExtension, valueCode: code }];
    const sr: fhir4.ServiceRequest = {
      ...serviceRequest({
        number: 'ZZ-DOWN-1',
        sender: 'H001',
        receiver: 'C002',
        subject: { reference: '#p' },
        priority: 'routine',
      }),
      contained: [patientWithResidentId(SAMPLE_RESIDENT_ID)].map((p) => ({ ...p, id: 'p' })),
      supportingInfo: [
        {
          reference: 'DocumentReference/H001.DS-9',
          display: '出院小结',
          extension: kind('discharge-summary'),
        },
        {
          reference: 'DocumentReference/H001.FP-9',
          display: '后续治疗方案',
          extension: kind('follow-up-plan'),
        },
      ],
    };
    const created = await call<fhir4.ServiceRequest>(hub, 'POST', '/fhir/ServiceRequest', KEYS.H001, sr);
    expect(created.status).toBe(201);
    expect(created.body.extension).toEqual([
      { url: REFERRAL_FHIR.directionExtension, valueCode: 'downward' },
    ]);
    expect(JSON.stringify(created.body)).not.toContain(SAMPLE_RESIDENT_ID);
    const accepted = await call(hub, 'POST', `/referrals/${DOWN}/accept`, KEYS.C002, { department: '全科' });
    expect(accepted).toMatchObject({
      status: 200,
      body: { status: 'accepted', direction: 'downward', recorded: true },
    });
    const ack = await call(hub, 'POST', `/referrals/${DOWN}/acknowledge`, KEYS.C002, {
      note: '已收到出院小结及方案',
    });
    expect(ack).toMatchObject({ status: 200, body: { status: 'accepted', recorded: true } });
    expect(await types(DOWN)).toEqual([
      'ReferralRequested',
      'ReferralAccepted',
      'DownwardReferralAcknowledged',
    ]);
  });

  it('refuses a third institution that accepts someone else’s referral, and records nothing', async () => {
    const sr = serviceRequest({
      number: 'ZZ-UP-2',
      sender: 'C002',
      receiver: 'H001',
      subject: { reference: 'Patient/placeholder' },
    });
    await call(
      hub,
      'POST',
      '/fhir',
      KEYS.C002,
      referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
    );
    const refused = await put('C002.ZZ-UP-2', task('C002.ZZ-UP-2', 'accepted'), KEYS.X003);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'forbidden',
          diagnostics: expect.stringMatching(/only the receiving institution H001/),
        },
      ],
    });
    const console = await call(hub, 'POST', '/referrals/C002.ZZ-UP-2/accept', KEYS.X003, {});
    expect(console).toMatchObject({ status: 403, body: { code: 'not-receiver' } });
    expect(await types('C002.ZZ-UP-2')).toEqual(['ReferralRequested']);
  });

  it('refuses a referral to an institution outside the sender’s alliances, and records nothing', async () => {
    const sr = serviceRequest({
      number: 'X-1',
      sender: 'X003',
      receiver: 'H001',
      subject: { reference: 'Patient/placeholder' },
    });
    const refused = await call<fhir4.OperationOutcome>(
      hub,
      'POST',
      '/fhir',
      KEYS.X003,
      referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.issue[0]).toMatchObject({
      code: 'business-rule',
      diagnostics: 'X003 and H001 are not members of one alliance',
    });
    expect(await types('X003.X-1')).toEqual([]);
  });

  it('names the element at fault: a requester that is not the credential, a missing reason', async () => {
    const sr = serviceRequest({
      number: 'ZZ-BAD',
      sender: 'H001',
      receiver: 'H001',
      subject: { reference: 'Patient/placeholder' },
    });
    // the number in C002's own namespace: the requester is what is at fault here
    const bundle = referralBundle(
      {
        ...sr,
        reasonCode: undefined,
        identifier: [{ system: 'urn:yilian:institution:C002:referral', value: 'ZZ-BAD' }],
      },
      patientWithResidentId(SAMPLE_RESIDENT_ID),
    );
    const refused = await call<fhir4.OperationOutcome>(hub, 'POST', '/fhir', KEYS.C002, bundle);
    expect(refused.status).toBe(403);
    expect(refused.body.issue.map((i) => i.expression?.[0])).toEqual([
      'Bundle.entry[1].resource.requester',
      'Bundle.entry[1].resource.reasonCode',
    ]);
    expect(await types('C002.ZZ-BAD')).toEqual([]);
  });
});
