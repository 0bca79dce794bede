/**
 * The referral family over the real MLLP socket, on the same workflow as the JSON actions:
 * REF^I12 (request), REF^I15 (status query), REF^I13 (modify) and REF^I14 (cancel), each
 * answered RRI^I12 – I15 after the durable append, read back through the platform's FHIR API.
 */
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { MllpClient } from '@yilian/hl7v2';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { refI12 } from '../../libs/hl7v2/test/referrals/ref-i12.fixtures';
import {
  eventually,
  platformClient,
  type ReferralsHub,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

const segment = (message: string, name: string) =>
  (message.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');

/** REF^I13 / I14 / I15 share REF_I12's structure (MSH RF1 {PRD} PID [DG1] [OBR] [NTE]). */
function ref(
  trigger: 'I12' | 'I13' | 'I14' | 'I15',
  controlId: string,
  extra: Parameters<typeof refI12>[0] = { controlId },
) {
  return refI12({ residentId: SAMPLE_RESIDENT_ID, sourceId: 'FAM-1', ...extra, controlId }).replace(
    'REF^I12^REF_I12',
    `REF^${trigger}^REF_I12`,
  );
}

describe('referral family over HL7 v2 (REF^I13 / I14 / I15), end to end on the hub', () => {
  let hub: ReferralsHub;
  let c002: MllpClient;
  let h001: MllpClient;
  beforeAll(async () => {
    hub = await startReferralsHub('referrals_family');
    await setUpAlliance(hub);
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await Promise.all([c002?.close(), h001?.close()]);
    await hub?.stop();
  });

  it('I15 on a referral the hub does not have: AE 204 at RF1-6', async () => {
    const rri = await c002.send(ref('I15', 'Q-0', { controlId: 'Q-0', sourceId: 'NOPE-9' }));
    expect(segment(rri, 'MSH')[8]).toBe('RRI^I15^RRI_I12');
    expect(segment(rri, 'MSA')[1]).toBe('AE');
    expect(segment(rri, 'ERR')[2]).toBe('RF1^1^6');
    expect(segment(rri, 'ERR')[3]).toMatch(/^204\^/);
  });

  it('I12 then I15: the status (RF1-1 P, pending) and the hub id, nothing appended by the query', async () => {
    expect(segment(await c002.send(ref('I12', 'F-1')), 'MSA')[1]).toBe('AA');
    const rri = await c002.send(ref('I15', 'F-2'));
    expect(segment(rri, 'MSA')[1]).toBe('AA');
    expect(segment(rri, 'RF1')[1]).toBe('P^Pending');
    expect(segment(rri, 'RF1')[11]).toBe('C002.FAM-1^YILIAN');
    expect((await hub.store.readStream('referral-C002.FAM-1')).map((e) => e.type)).toEqual([
      'ReferralRequested',
    ]);
  });

  it('I13 modifies priority and diagnosis: ReferralModified, the ServiceRequest read back changed and valid R4; a resend changes nothing', async () => {
    const modify = ref('I13', 'F-3', {
      controlId: 'F-3',
      priority: 'S',
      diagnosis: 'I21.9^急性心肌梗死^ICD10',
    });
    const rri = await c002.send(modify);
    expect(segment(rri, 'MSH')[8]).toBe('RRI^I13^RRI_I12');
    expect(segment(rri, 'MSA')[1]).toBe('AA');
    await c002.send(modify.replace('|F-3|', '|F-3b|'));
    const events = await hub.store.readStream('referral-C002.FAM-1');
    expect(events.map((e) => e.type)).toEqual(['ReferralRequested', 'ReferralModified']);
    const sr = await eventually(
      async () =>
        (await platformClient(hub).read({
          resourceType: 'ServiceRequest',
          id: 'C002.FAM-1',
        })) as fhir4.ServiceRequest,
      (r) => r.priority === 'stat',
    );
    expect(sr.priority).toBe('stat');
    expect(JSON.stringify(sr.reasonCode)).toContain('I21.9');
    expect(validateFhirResource(sr).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('I13 naming another receiver: AE at PRD-7, nothing appended', async () => {
    const rri = await c002.send(ref('I13', 'F-4', { controlId: 'F-4', receiver: 'X003' }));
    expect(segment(rri, 'MSA')[1]).toBe('AE');
    expect(segment(rri, 'ERR')[2]).toMatch(/^PRD\^/);
    expect(await hub.store.readStream('referral-C002.FAM-1')).toHaveLength(2);
  });

  it('I14 from the sender is the same ReferralCancelled as the JSON action (reason from NTE); the Task reads cancelled', async () => {
    const rri = await c002.send(`${ref('I14', 'F-5')}\rNTE|1||患者要求取消`);
    expect(segment(rri, 'MSH')[8]).toBe('RRI^I14^RRI_I12');
    expect(segment(rri, 'MSA')[1]).toBe('AA');
    expect(segment(rri, 'RF1')[1]).toBe('R^Rejected');
    const events = await hub.store.readStream('referral-C002.FAM-1');
    expect(events.map((e) => e.type).at(-1)).toBe('ReferralCancelled');
    expect(events.at(-1)!.data).toMatchObject({ sender: 'C002', reason: '患者要求取消' });
    const task = await eventually(
      async () => (await platformClient(hub).read({ resourceType: 'Task', id: 'C002.FAM-1' })) as fhir4.Task,
      (t) => t.status === 'cancelled',
    );
    expect(task.status).toBe('cancelled');
  });

  it('I14 from the receiver (not the sender) of another institution: AE, nothing appended', async () => {
    expect(
      segment(await c002.send(ref('I12', 'G-1', { controlId: 'G-1', sourceId: 'FAM-2' })), 'MSA')[1],
    ).toBe('AA');
    // H001 sends a cancel for its own number FAM-2: the hub has no such referral from H001
    const rri = await h001.send(
      ref('I14', 'G-2', { controlId: 'G-2', sourceId: 'FAM-2', sender: 'H001', receiver: 'C002' }),
    );
    expect(segment(rri, 'MSA')[1]).toBe('AE');
    expect(segment(rri, 'ERR')[2]).toBe('RF1^1^6');
    expect((await hub.store.readStream('referral-C002.FAM-2')).map((e) => e.type)).toEqual([
      'ReferralRequested',
    ]);
  });
});
