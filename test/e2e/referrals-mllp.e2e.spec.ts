import type { fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { refI12 } from '../../libs/hl7v2/test/referrals/ref-i12.fixtures';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import {
  call,
  eventually,
  KEYS,
  keyer,
  platformClient,
  type ReferralsHub,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

// A community centre's HIS sends REF^I12 over its own MLLP port; the hub answers RRI^I12 after
// the durable append, with the hub's referral id; the hospital answers from the console.
const segment = (message: string, name: string) =>
  (message.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');
const patientKey = keyer.forResidentId(SAMPLE_RESIDENT_ID);

describe('referrals over HL7 v2 REF^I12 (MLLP), end to end on the hub', () => {
  let hub: ReferralsHub;
  let c002: MllpClient;
  beforeAll(async () => {
    hub = await startReferralsHub('referrals_mllp');
    await setUpAlliance(hub);
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
  });
  afterAll(async () => {
    await c002?.close();
    await hub?.stop();
  });

  it('answers RRI^I12 with MSA AA and the hub referral id, after the durable append', async () => {
    const rri = await c002.send(
      refI12({ controlId: 'REF-0001', sourceId: 'HL7-UP-1', residentId: SAMPLE_RESIDENT_ID, mrn: 'C-MRN-7' }),
    );
    expect(segment(rri, 'MSH')[8]).toBe('RRI^I12^RRI_I12');
    expect(segment(rri, 'MSA').slice(1, 3)).toEqual(['AA', 'REF-0001']);
    expect(segment(rri, 'RF1')[11]).toBe('C002.HL7-UP-1^YILIAN');
    expect(segment(rri, 'PID')[3]).toBe(`${patientKey}^^^YILIAN^PI`);
    expect(rri).not.toContain(SAMPLE_RESIDENT_ID);
    const events = await hub.store.readStream('referral-C002.HL7-UP-1');
    expect(events.map((e) => e.type)).toEqual(['ReferralRequested']);
    expect(events[0]!.metadata.source).toEqual({
      institution: 'C002',
      messageId: 'REF-0001',
      protocol: 'hl7v2',
    });
    expect(events[0]!.data).toMatchObject({
      direction: 'upward',
      sender: 'C002',
      receiver: 'H001',
      patientKey,
      priority: 'urgent',
      department: '心内科',
      supportingInfo: ['DiagnosticReport/C002.L-0001'],
    });
  });

  it('answers a resend, even under a new control id, with AA and records the referral once', async () => {
    const again = await c002.send(
      refI12({
        controlId: 'REF-0001-R',
        sourceId: 'HL7-UP-1',
        residentId: SAMPLE_RESIDENT_ID,
        mrn: 'C-MRN-7',
      }),
    );
    expect(segment(again, 'MSA')[1]).toBe('AA');
    expect(segment(again, 'RF1')[11]).toBe('C002.HL7-UP-1^YILIAN');
    expect(await hub.store.readStream('referral-C002.HL7-UP-1')).toHaveLength(1);
  });

  it('in enhanced mode sends the commit ACK, then the RRI^I12', async () => {
    const answers = await c002.sendExpecting(
      refI12({
        controlId: 'REF-0002',
        sourceId: 'HL7-UP-2',
        mrn: 'C-MRN-8',
        accept: 'AL',
        application: 'AL',
      }),
      2,
    );
    expect(answers.map((a) => `${segment(a, 'MSH')[8]} ${segment(a, 'MSA')[1]}`)).toEqual([
      'ACK^I12^ACK CA',
      'RRI^I12^RRI_I12 AA',
    ]);
  });

  it('answers AE naming the segment at fault, and records nothing', async () => {
    const noReason = refI12({ controlId: 'REF-0003', sourceId: 'HL7-BAD-1', mrn: 'C-MRN-9' }).replace(
      /DG1\|[^\r]*/,
      'DG1|1',
    );
    const ae = await c002.send(noReason);
    expect(segment(ae, 'MSA')[1]).toBe('AE');
    expect(segment(ae, 'ERR')[2]).toBe('DG1^^3');
    const outside = refI12({
      controlId: 'REF-0004',
      sourceId: 'HL7-BAD-2',
      mrn: 'C-MRN-9',
      receiver: 'X003',
    });
    const notMember = await c002.send(outside);
    expect(segment(notMember, 'MSA')[1]).toBe('AE');
    expect(segment(notMember, 'ERR')[2]).toBe('PRD^^7');
    expect(segment(notMember, 'MSA')[3]).toMatch(/not members of one alliance/);
    expect(await hub.store.readStream('referral-C002.HL7-BAD-1')).toHaveLength(0);
    expect(await hub.store.readStream('referral-C002.HL7-BAD-2')).toHaveLength(0);
  });

  it('H001 sees it in its inbox, accepts it, and the platform finds it by the patient key', async () => {
    const inbox = await eventually(
      () =>
        call<{ items: { referralId: string; status: string }[] }>(
          hub,
          'GET',
          '/referrals/board?institution=H001&box=inbox',
          KEYS.platform,
        ),
      (a) => a.body.items?.some((i) => i.referralId === 'C002.HL7-UP-1'),
    );
    expect(inbox.status).toBe(200);
    const accepted = await call(hub, 'POST', '/referrals/C002.HL7-UP-1/accept', KEYS.H001, {});
    expect(accepted.body).toMatchObject({ status: 'accepted', recorded: true });
    const tasks = await eventually(
      async () =>
        (await platformClient(hub).search({
          resourceType: 'Task',
          searchParams: { patient: `Patient/${patientKey}` },
        })) as fhir4.Bundle,
      (b) => (b.entry ?? []).some((e) => (e.resource as fhir4.Task).status === 'accepted'),
    );
    expect(tasks.entry!.map((e) => [e.resource!.id, (e.resource as fhir4.Task).status])).toEqual([
      ['C002.HL7-UP-1', 'accepted'],
    ]);
  });
});
