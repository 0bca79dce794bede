import { connect } from 'node:net';
import { type fhir4, isResultReference } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { MllpClient } from '@yilian/hl7v2';
import { fixture } from '../../libs/hl7v2/test/fixtures';
import { PatientKeyer } from '@yilian/patients';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import {
  eventually,
  labReportBundleFor,
  PATIENT_KEY_SECRET,
  platformClient,
  postFhir,
  startTestHub,
} from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);

function segment(ack: string, name: string): string[] {
  return (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');
}

describe('hub: HL7 v2 ORU^R01 over MLLP', () => {
  let hub: Hub;
  let h001: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hub_mllp');
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await h001?.close();
    await hub?.stop();
  });

  it('answers AA after the durable append, and the platform finds the report with fhir-kit-client', async () => {
    const ack = await h001.send(
      oruR01({ controlId: 'MSG-0001', accession: 'L-0001', residentId: SAMPLE_RESIDENT_ID }),
    );
    expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', 'MSG-0001']);
    // The ACK came after the append: the event is in the store right now.
    const events = await hub.store.readStream('labreport-H001-L-0001');
    expect(events).toHaveLength(1);
    expect(events[0]!.metadata.source).toEqual({
      institution: 'H001',
      messageId: 'MSG-0001',
      protocol: 'hl7v2',
    });

    const patientKey = keyer.forResidentId(SAMPLE_RESIDENT_ID);
    const bundle = await eventually(
      async () =>
        (await platformClient(hub).search({
          resourceType: 'Observation',
          searchParams: { patient: `Patient/${patientKey}`, code: 'http://loinc.org|2823-3' },
        })) as fhir4.Bundle,
      (b) => (b.total ?? 0) >= 1,
    );
    const potassium = bundle.entry![0]!.resource as fhir4.Observation;
    expect(potassium.valueQuantity?.value).toBe(4.1);
    expect(potassium.valueQuantity?.unit).toBe('mmol/L');
    expect(potassium.status).toBe('final');
    const report = (await platformClient(hub).read({
      resourceType: 'DiagnosticReport',
      id: 'H001.L-0001',
    })) as fhir4.DiagnosticReport;
    expect(report.result).toHaveLength(15);
    expect(report.performer?.[0]?.reference).toBe('Organization/H001');
  });

  it('records an ORU whose OBX types are ED, XAD, XTN, DR, NR, CQ … (AA): the PDF in presentedForm, read back valid R4', async () => {
    const ack = await h001.send(fixture('intl-lab-value-types-v251.hl7'));
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    const report = await eventually(
      async () =>
        (await platformClient(hub)
          .read({ resourceType: 'DiagnosticReport', id: 'H001.FIL9001' })
          .catch(() => undefined)) as fhir4.DiagnosticReport | undefined,
      (r) => r !== undefined,
    );
    expect(report!.presentedForm?.[0]).toMatchObject({ contentType: 'application/pdf' });
    expect(report!.result).toHaveLength(16);
    expect(validateFhirResource(report!).filter((i) => i.severity === 'error')).toEqual([]);
    const [event] = await hub.store.readStream('labreport-H001-FIL9001');
    const observations = (event!.data as { observations: fhir4.Observation[] }).observations;
    expect(observations.find((o) => o.code.coding?.[0]?.code === '62327-2')?.valueString).toBe(
      '1234 Main St, Ste. 200, Austin, TX 78758, USA',
    );
    for (const o of observations)
      expect(validateFhirResource(o).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('records one order reported as three OBR panels sharing its number (AA): three reports, by number + OBR-4', async () => {
    const ack = await h001.send(fixture('intl-nbs-shared-order-v251.hl7'));
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    for (const panel of ['54089-8', '57128-1', '99717-28']) {
      const events = await hub.store.readStream(`labreport-H001-7241234515.${panel}`);
      expect(events).toHaveLength(1);
      const report = (events[0]!.data as { report: fhir4.DiagnosticReport }).report;
      expect(report.identifier?.[0]?.value).toBe('7241234515');
      expect(validateFhirResource(report).filter((i) => i.severity === 'error')).toEqual([]);
    }
    // each panel's report is read at a readable id, the stream a valid result reference
    const read = await eventually(
      async () =>
        (await platformClient(hub)
          .read({ resourceType: 'DiagnosticReport', id: 'H001.7241234515.57128-1' })
          .catch(() => undefined)) as fhir4.DiagnosticReport | undefined,
      (r) => r !== undefined,
    );
    expect(read!.code.coding?.[0]?.code).toBe('57128-1');
    expect(isResultReference('labreport-H001-7241234515.57128-1')).toBe(true);
  });

  it('a panel already recorded for another patient is AE 205 naming that OBR (here the 2nd), nothing of the message recorded', async () => {
    const text = fixture('intl-nbs-shared-order-v251.hl7')
      .replace('NBS-7241', 'NBS-7241-B')
      .replace('NB7241^^^STATELAB^MR', 'NB9999^^^STATELAB^MR')
      .replace('|54089-8^NB Screen Panel Patient AHIC^LN|', '|99999-9^Another panel^L|')
      .replace('LA12425-7^Within normal limits^LN', 'LA12426-5^Out of range^LN');
    const ack = await h001.send(text);
    expect(segment(ack, 'MSA')[1]).toBe('AE');
    expect(segment(ack, 'ERR').slice(2, 4)).toEqual(['OBR^2^3', '205^Duplicate key identifier^HL70357']);
    expect(await hub.store.readStream('labreport-H001-7241234515.99999-9')).toHaveLength(0);
  });

  it('a correction of one of those panels sent alone (OBR-25 C) is a new version of that panel’s report', async () => {
    const lines = fixture('intl-nbs-shared-order-v251.hl7').split('\r');
    const correction = [
      lines[0]!.replace('NBS-7241', 'NBS-7241-C'),
      lines[1]!,
      lines[2]!,
      lines[5]!.replace('|F', '|C'),
      lines[6]!
        .replace('LA12425-7^Within normal limits^LN', 'LA12426-5^Out of range^LN')
        .replace('||F', '||C'),
    ].join('\r');
    const ack = await h001.send(correction);
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    const versions = await hub.store.readStream('labreport-H001-7241234515.57128-1');
    expect(versions).toHaveLength(2);
    const report = (versions[1]!.data as { report: fhir4.DiagnosticReport }).report;
    expect(report.status).toBe('corrected');
    expect(await hub.store.readStream('labreport-H001-7241234515')).toHaveLength(0);
  });

  it('takes a batch of one message (FHS / BHS … BTS / FTS) as that message; refuses a batch of two whole (AR, MSH^2 100)', async () => {
    const one = fixture('batch/intl-batch-one-oru-v251.hl7');
    const ack = await h001.send(one);
    expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', 'BATCH-0001']);
    expect(await hub.store.readStream('labreport-H001-FIL9101')).toHaveLength(1);
    const inner = one.split('\r').filter((l) => !/^(FHS|BHS|BTS|FTS)/.test(l));
    const second = inner
      .join('\r')
      .replace('BATCH-0001', 'BATCH-0002')
      .replace(/FIL9101/g, 'FIL9102');
    const two = one.replace('BTS|1', `${second}\rBTS|2`);
    const refused = await h001.send(two);
    expect(segment(refused, 'MSA')[1]).toBe('AR');
    expect(segment(refused, 'ERR').slice(2, 4)).toEqual(['MSH^2', '100^Segment sequence error^HL70357']);
    expect(await hub.store.readStream('labreport-H001-FIL9102')).toHaveLength(0);
  });

  it('in enhanced mode answers a commit ACK (CA) then the application ACK (AA), both after the append', async () => {
    const acks = await h001.sendExpecting(
      oruR01({
        controlId: 'MSG-E1',
        accession: 'L-E1',
        residentId: SAMPLE_RESIDENT_ID,
        accept: 'AL',
        application: 'AL',
      }),
      2,
    );
    expect(acks.map((a) => segment(a, 'MSA')[1])).toEqual(['CA', 'AA']);
    expect(await hub.store.readStream('labreport-H001-L-E1')).toHaveLength(1);
  });

  it('answers a resend of the same control id with the same ACK and records one event', async () => {
    const message = oruR01({ controlId: 'MSG-0002', accession: 'L-0002', residentId: SAMPLE_RESIDENT_ID });
    const first = await h001.send(message);
    const again = await h001.send(message);
    // the same answer but for MSH-7, the ACK's own time (a second later across a boundary)
    const untimed = (ack: string) => ack.replace(/^(MSH(?:\|[^|\r]*){5}\|)[^|\r]*/, '$1');
    expect(untimed(again)).toBe(untimed(first));
    expect(untimed(again)).not.toBe(again);
    expect(segment(again, 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream('labreport-H001-L-0002')).toHaveLength(1);
  });

  it('records another report sent under a control id already used, each once', async () => {
    const first = oruR01({ controlId: 'MSG-REUSED', accession: 'L-R1', residentId: SAMPLE_RESIDENT_ID });
    const second = oruR01({ controlId: 'MSG-REUSED', accession: 'L-R2', mrn: 'MRN-R2' });
    for (const m of [first, second, first, second]) expect(segment(await h001.send(m), 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream('labreport-H001-L-R1')).toHaveLength(1);
    expect(await hub.store.readStream('labreport-H001-L-R2')).toHaveLength(1);
  });

  it('recognises the same content under a new control id as a duplicate', async () => {
    await h001.send(oruR01({ controlId: 'MSG-0003', accession: 'L-0003', mrn: 'MRN-77' }));
    const ack = await h001.send(oruR01({ controlId: 'MSG-0003-RESENT', accession: 'L-0003', mrn: 'MRN-77' }));
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    expect(await hub.store.readStream('labreport-H001-L-0003')).toHaveLength(1);
  });

  it('answers AE with an ERR naming PID-3 for a bad resident ID number, and appends nothing', async () => {
    const ack = await h001.send(
      oruR01({ controlId: 'MSG-0004', accession: 'L-0004', residentId: '110105194912310021' }),
    );
    expect(segment(ack, 'MSA')[1]).toBe('AE');
    const err = segment(ack, 'ERR');
    expect(err[2]).toMatch(/^PID\^1\^3/);
    expect(ack).not.toContain('110105194912310021');
    expect(await hub.store.readStream('labreport-H001-L-0004')).toHaveLength(0);
  });

  it('answers AE naming OBX-5 for a non-numeric NM value, and AR for an unsupported message type', async () => {
    const bad = oruR01({
      controlId: 'MSG-0005',
      accession: 'L-0005',
      residentId: SAMPLE_RESIDENT_ID,
    }).replace('|NM|K^钾^L^2823-3^钾^LN||4.1|', '|NM|K^钾^L^2823-3^钾^LN||four point one|');
    const ack = await h001.send(bad);
    expect(segment(ack, 'MSA')[1]).toBe('AE');
    expect(segment(ack, 'ERR')[2]).toMatch(/^OBX\^1\^5/);
    expect(await hub.store.readStream('labreport-H001-L-0005')).toHaveLength(0);

    const adt = 'MSH|^~\\&|HIS|H001|YILIAN|HUB|20261123090000||QRY^A19|MSG-0006|P|2.5.1\rQRD|1';
    const ar = await h001.send(adt);
    expect(segment(ar, 'MSA')[1]).toBe('AR');
  });

  it('keeps answering other senders while one sends garbage and never finishes a frame', async () => {
    const garbage = connect({ port: hub.mllpPorts.get('H001')!, host: '127.0.0.1' });
    await new Promise((r) => garbage.once('connect', r));
    garbage.write(Buffer.from([0x0b, 0xff, 0xfe, 0x00, 0x41, 0x42]));
    const other = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    const ack = await other.send(oruR01({ controlId: 'C-0001', accession: 'CL-0001', mrn: 'C-MRN-1' }));
    expect(segment(ack, 'MSA')[1]).toBe('AA');
    await other.close();
    const closed = new Promise((r) => garbage.once('close', r));
    await closed; // the idle timeout (2 s in tests) closes the never-ending frame
  });

  it('makes one patient of a report sent over HL7 v2 and one sent over FHIR with the same ID number', async () => {
    await postFhir(hub, '', labReportBundleFor('F-0009', SAMPLE_RESIDENT_ID));
    const patientKey = keyer.forResidentId(SAMPLE_RESIDENT_ID);
    const bundle = await eventually(
      async () =>
        (await platformClient(hub).search({
          resourceType: 'DiagnosticReport',
          searchParams: { patient: `Patient/${patientKey}` },
        })) as fhir4.Bundle,
      (b) => (b.entry ?? []).some((e) => e.resource?.id === 'H001.F-0009'),
    );
    const ids = bundle.entry!.map((e) => e.resource!.id);
    expect(ids).toEqual(expect.arrayContaining(['H001.L-0001', 'H001.L-0002', 'H001.F-0009']));
  });
});
