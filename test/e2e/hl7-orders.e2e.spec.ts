/**
 * Orders over the real MLLP socket: OML^O21 (2.5.1), ORM^O01 (2.3), OMG^O19 (2.8) → one
 * `OrderRecorded` per order with its ServiceRequest (valid R4), answered ORL^O22 / ORR^O02 /
 * ORG^O20 with the standard's RESPONSE group (PID, ORC with the answer in ORC-1, TQ1, OBR); a
 * cancel is a new version; a missing element is AE naming the field, nothing appended.
 */
import { ORDER_RECORDED, type OrderRecordedV1, orderStream } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { fixture, setField, withSegment } from '../../libs/hl7v2/test/fixtures';
import { PATIENT_KEY_SECRET, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);

const segments = (text: string) => text.split('\r').filter(Boolean);
const names = (text: string) => segments(text).map((s) => s.slice(0, 3));
const fieldOf = (text: string, name: string, n: number) =>
  (segments(text).find((s) => s.startsWith(`${name}|`)) ?? '').split('|')[name === 'MSH' ? n - 1 : n];

describe('hub: HL7 v2 orders over MLLP', () => {
  let hub: Hub;
  let mllp: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hl7_orders');
    mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await mllp?.close();
    await hub?.stop();
  });

  async function recorded(placer: string) {
    return (await hub.store.readStream(orderStream('H001', placer))).map((e) => {
      expect(e.type).toBe(ORDER_RECORDED);
      return e as typeof e & { data: OrderRecordedV1 };
    });
  }

  it('OML^O21 2.5.1 → ORL^O22 (MSA AA, PID, ORC OK, TQ1, OBR) after the durable append; a valid ServiceRequest', async () => {
    const response = await mllp.send(fixture('orders/cn-his-oml-o21-cbc-v251.hl7'));
    expect(fieldOf(response, 'MSH', 9)).toBe('ORL^O22^ORL_O22');
    expect(names(response)).toEqual(['MSH', 'MSA', 'PID', 'ORC', 'TQ1', 'OBR']);
    expect(fieldOf(response, 'MSA', 1)).toBe('AA');
    expect(fieldOf(response, 'ORC', 1)).toBe('OK');
    expect(fieldOf(response, 'ORC', 2)).toBe('PO-1001^HIS');
    const [event] = await recorded('PO-1001');
    const sr = event!.data.serviceRequest;
    expect(event!.metadata.patientKey).toBe(keyer.forResidentId(SAMPLE_RESIDENT_ID));
    expect(sr).toMatchObject({
      status: 'active',
      intent: 'order',
      priority: 'routine',
      subject: { reference: `Patient/${keyer.forResidentId(SAMPLE_RESIDENT_ID)}` },
      authoredOn: '2025-12-01T08:55:00+08:00',
      requester: { display: '张医生' },
      category: [{ coding: [{ code: '108252007' }] }],
    });
    expect(sr.code?.coding?.map((c) => c.code)).toEqual(['58410-2', 'CBC']);
    expect(sr.reasonCode?.[0]?.coding?.[0]?.code).toBe('R50.9');
    expect(validateFhirResource(sr).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('a resend gets the same answer and records nothing more; a cancel (ORC-1 CA) is a new version, revoked, answered CR', async () => {
    const message = fixture('orders/cn-his-oml-o21-cbc-v251.hl7');
    const again = await mllp.send(message);
    expect(fieldOf(again, 'MSA', 1)).toBe('AA');
    expect(await recorded('PO-1001')).toHaveLength(1);
    const cancel = withSegment(message.replace('OML-0001', 'OML-0002'), 'ORC', 1, (l) =>
      setField(l, 1, 'CA'),
    );
    const answer = await mllp.send(cancel);
    expect(fieldOf(answer, 'ORC', 1)).toBe('CR');
    const versions = await recorded('PO-1001');
    expect(versions.map((e) => e.data.serviceRequest.status)).toEqual(['active', 'revoked']);
  });

  it('ORM^O01 2.3 (no imaging segments) → ORR^O02 with ORC / OBR; priority from ORC-7.6', async () => {
    const response = await mllp.send(fixture('orders/cn-his-orm-o01-lft-v23.hl7'));
    expect(fieldOf(response, 'MSH', 9)).toBe('ORR^O02^ORR_O02');
    expect(names(response)).toEqual(['MSH', 'MSA', 'PID', 'ORC', 'OBR']);
    const [event] = await recorded('PO-2001');
    expect(event!.data.serviceRequest).toMatchObject({ priority: 'stat', status: 'active' });
    expect(event!.metadata.patientKey).toBe(keyer.forMrn('H001', 'H0012345'));
  });

  it('OMG^O19 2.8 → ORG^O20; the requester from PRT OP', async () => {
    const response = await mllp.send(fixture('orders/cn-his-omg-o19-ecg-v28.hl7'));
    expect(fieldOf(response, 'MSH', 9)).toBe('ORG^O20^ORG_O20');
    expect(fieldOf(response, 'MSA', 1)).toBe('AA');
    const [event] = await recorded('PO-3001');
    expect(event!.data.serviceRequest).toMatchObject({ priority: 'asap', requester: { display: '李主任' } });
    expect(validateFhirResource(event!.data.serviceRequest).filter((i) => i.severity === 'error')).toEqual(
      [],
    );
  });

  it('AE naming OBR-4 when the service is missing, ORC-1 UA, nothing appended', async () => {
    const text = withSegment(
      fixture('orders/cn-his-oml-o21-cbc-v251.hl7')
        .replace(/PO-1001/g, 'PO-1002')
        .replace('OML-0001', 'OML-0003'),
      'OBR',
      1,
      (l) => setField(l, 4, ''),
    );
    const response = await mllp.send(text);
    expect(fieldOf(response, 'MSA', 1)).toBe('AE');
    expect(fieldOf(response, 'ERR', 2)).toBe('OBR^1^4');
    expect(fieldOf(response, 'ORC', 1)).toBe('UA');
    expect(await hub.store.readStream(orderStream('H001', 'PO-1002'))).toHaveLength(0);
  });
});
