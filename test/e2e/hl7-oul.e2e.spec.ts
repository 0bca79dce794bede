/**
 * OUL^R22 / R23 / R24 over real MLLP into the real hub (embedded PostgreSQL): recorded as the
 * equivalent ORU^R01 is (`LabReportRecorded`, the same FHIR read back), answered ACK^R2x^ACK.
 * Third-party material: microsoft/FHIR-Converter's OUL samples (fixtures/hl7-third-party, MIT);
 * our own pair and structure cases: libs/hl7v2/test/fixtures/oul.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { fhir4 } from '@yilian/contracts';
import { fixture, setField, withSegment } from '../../libs/hl7v2/test/fixtures';
import { eventually, platformClient, storedEvents, useHubWithMllp } from './hub-harness';

const THIRD_PARTY = join(__dirname, 'fixtures', 'hl7-third-party', 'microsoft-fhir-converter');
/** A published sample as sent (CR line ends), with MSH-10 of its own: every sample says 1932. */
function sample(name: string, controlId: string): string {
  const text = readFileSync(join(THIRD_PARTY, `${name}.hl7`), 'utf8').replace(/\r?\n/g, '\r');
  return withSegment(text, 'MSH', 1, (l) => setField(l, 10, controlId));
}
/** The sample without its OBX whose OBX-3 is empty, and each OBR-3 suffixed so that every
 * sample is a report of its own (the six share their accessions). */
function repaired(name: string, controlId: string): string {
  return sample(name, controlId)
    .split('\r')
    .filter((l) => !l.startsWith('OBX||ED|||'))
    .map((l) => (l.startsWith('OBR|') ? setField(l, 3, `${l.split('|')[3]}-${name}`) : l))
    .join('\r');
}

const FIRST = '40bcbe96bcbf8cda8b07403263b92cb4';
const SECOND = '40bcbe9f8cda8b07403263b92cb4';
const SLIDE = '3DHISTECH_SLD';
const IMAGES = ['3DHISTECH_THUMBNAIL', '3DHISTECH_LABELAREA', '3DHISTECH_PREVIEWCAM'];
const HEART_RATE = '8867-4';
/** Per repaired sample, each report: OBR-3, its observations' OBX-3, the specimen OBX's value. */
const REPAIRED: Record<string, [number: string, codes: string[], specimenValue?: string][]> = {
  'OUL-R22-02': [
    [FIRST, [SLIDE, HEART_RATE], '160'],
    [SECOND, ['3DHISTECH_PREVIEWCAM', HEART_RATE], '60'],
  ],
  'OUL-R23-01': [[FIRST, [SLIDE, ...IMAGES, HEART_RATE], '60']],
  'OUL-R23-02': [
    [FIRST, [SLIDE, HEART_RATE], '60'],
    [SECOND, ['3DHISTECH_PREVIEWCAM', HEART_RATE], '60'],
  ],
  'OUL-R24-01': [[FIRST, [SLIDE, ...IMAGES, HEART_RATE], '80']],
  // the second OBR follows the first's SPM group: an order of no specimen
  'OUL-R24-02': [
    [FIRST, [SLIDE, '3DHISTECH_THUMBNAIL', HEART_RATE], '80'],
    ['4be96bcbf8cda8b07403263b92cb4', ['3DHISTECH_LABELAREA', '3DHISTECH_PREVIEWCAM']],
  ],
};

function segment(ack: string, name: string): string[] {
  return (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|');
}
/** Each ERR as `ERR-2 ERR-3.1`. */
function errors(ack: string): string[] {
  return ack
    .split('\r')
    .filter((s) => s.startsWith('ERR|'))
    .map((s) => `${s.split('|')[2]} ${s.split('|')[3]!.split('^')[0]}`);
}
/** MSH-15 / MSH-16 set (enhanced mode). */
function ackMode(text: string, accept: string, application: string): string {
  return withSegment(text, 'MSH', 1, (l) => setField(setField(l, 15, accept), 16, application));
}

describe('hub: HL7 v2 OUL^R21 / R22 / R23 / R24 over MLLP', () => {
  const t = useHubWithMllp('hub_oul');

  const readReport = (accession: string) =>
    eventually(
      async () =>
        (await platformClient(t.hub)
          .read({ resourceType: 'DiagnosticReport', id: `H001.${accession}` })
          .catch(() => undefined)) as fhir4.DiagnosticReport | undefined,
      (r) => r !== undefined,
    );
  const readResults = async (report: fhir4.DiagnosticReport) =>
    Promise.all(
      (report.result ?? []).map(
        async (r) =>
          (await platformClient(t.hub).read({
            resourceType: 'Observation',
            id: r.reference!.split('/')[1]!,
          })) as fhir4.Observation,
      ),
    );

  describe('third-party samples (microsoft/FHIR-Converter)', () => {
    it.each([
      ['OUL-R22-01', 'R22', ['OBX^3^3 101']],
      ['OUL-R22-02', 'R22', ['OBX^3^3 101', 'OBX^6^3 101']],
      ['OUL-R23-01', 'R23', ['OBX^3^3 101']],
      ['OUL-R23-02', 'R23', ['OBX^3^3 101', 'OBX^6^3 101']],
      ['OUL-R24-01', 'R24', ['OBX^2^3 101']],
      ['OUL-R24-02', 'R24', ['OBX^2^3 101']],
    ])(
      '%s as published: AE naming each OBX without OBX-3 (ACK^%s^ACK), nothing recorded',
      async (name, trigger, expected) => {
        const before = await storedEvents(t.hub);
        // MSH-15 NE, MSH-16 AL: the application ACK alone
        const ack = await t.mllp.send(sample(name, `FC-${name}`));
        expect(segment(ack, 'MSH')[8]).toBe(`ACK^${trigger}^ACK`);
        expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AE', `FC-${name}`]);
        expect(errors(ack)).toEqual(expected);
        expect(await storedEvents(t.hub)).toBe(before);
      },
    );

    it('OUL-R22-01 without its code-less OBX: AA, one event, the report and its observations read back as sent', async () => {
      const name = 'OUL-R22-01';
      const ack = await t.mllp.send(repaired(name, `FC-${name}-OK`));
      expect(segment(ack, 'MSA').slice(1, 3)).toEqual(['AA', `FC-${name}-OK`]);
      const accession = `${FIRST}-${name}`;
      const events = await t.hub.store.readStream(`labreport-H001-${accession}`);
      expect(events).toHaveLength(1);
      expect(events[0]!.type).toBe('LabReportRecorded');
      const data = events[0]!.data as { specimens: fhir4.Specimen[] };
      expect(data.specimens.map((s) => [s.identifier?.[0]?.value, s.type?.coding?.[0]?.code])).toEqual([
        ['2017-PAT-123456-1', 'SKBP'],
      ]);

      const report = (await readReport(accession))!;
      expect(report.code.coding?.[0]).toMatchObject({ code: 'SCAN', display: 'Scan Slide' });
      expect(report.identifier?.[0]?.value).toBe(accession);
      // OBX-11: F for the order's results, S (partial) for the specimen's: the report is preliminary
      expect(report.status).toBe('preliminary');
      // the RP (slide URL) and the three ED images (JPEG, base64) are the report's presentedForm
      expect(report.presentedForm?.map((f) => f.contentType)).toEqual([
        expect.any(String),
        'image/jpeg',
        'image/jpeg',
        'image/jpeg',
      ]);
      expect(report.presentedForm?.[0]?.url).toContain('http://172.16.237.4/CaseCenter/index.php');
      expect(report.presentedForm?.[1]?.data).toBe('VGhpcyBpcyBhIEJhc2U2NCBzdHJpbmc=');
      const observations = await readResults(report);
      // the OBX after SPM (heart rate): a specimen observation, after the order's results
      expect(observations.map((o) => o.code.coding?.[0]?.code)).toEqual([SLIDE, ...IMAGES, HEART_RATE]);
      const heartRate = observations[4]!;
      expect(heartRate.code.coding?.[0]?.system).toBe('http://loinc.org');
      expect(heartRate.valueCodeableConcept?.coding?.[0]?.code).toBe('160');
      expect(heartRate.referenceRange?.[0]?.text).toBe('100-120');
      expect(observations.map((o) => o.status)).toEqual(['final', 'final', 'final', 'final', 'preliminary']);
    });

    it.each(Object.entries(REPAIRED))(
      '%s without its code-less OBX: AA, a report per OBR read back with its observations',
      async (name, expected) => {
        const ack = await t.mllp.send(repaired(name, `FC-${name}-OK`));
        expect(segment(ack, 'MSA')[1]).toBe('AA');
        for (const [number, codes, specimenValue] of expected) {
          const accession = `${number}-${name}`;
          expect(await t.hub.store.readStream(`labreport-H001-${accession}`)).toHaveLength(1);
          const report = (await readReport(accession))!;
          expect(report.code.coding?.[0]?.code).toBe('SCAN');
          const observations = await readResults(report);
          expect(observations.map((o) => o.code.coding?.[0]?.code)).toEqual(codes);
          const specimenObservation = observations.find((o) => o.code.coding?.[0]?.code === HEART_RATE);
          expect(specimenObservation?.valueCodeableConcept?.coding?.[0]?.code).toBe(specimenValue);
        }
      },
    );
  });

  describe('our own OUL messages', () => {
    it('an OUL^R22 and the equivalent ORU^R01 give equal FHIR resources; the OUL after the ORU records nothing new', async () => {
      const oru = fixture('oul/cn-lis-electrolytes-oru-r01-v251.hl7');
      const oul = fixture('oul/cn-lis-electrolytes-oul-r22-v251.hl7');
      const as = (text: string, accession: string, controlId: string) =>
        ackMode(
          withSegment(text.replaceAll('ACC-20240520-7789', accession), 'MSH', 1, (l) =>
            setField(l, 10, controlId),
          ),
          'AL',
          'AL',
        );
      // enhanced mode (MSH-15 / 16 AL): CA then AA, each ACK^<trigger>^ACK
      const oruAcks = await t.mllp.sendExpecting(as(oru, 'EQ-ORU', 'EQ-ORU-1'), 2);
      expect(oruAcks.map((a) => segment(a, 'MSA')[1])).toEqual(['CA', 'AA']);
      const oulAcks = await t.mllp.sendExpecting(as(oul, 'EQ-OUL', 'EQ-OUL-1'), 2);
      expect(oulAcks.map((a) => segment(a, 'MSA')[1])).toEqual(['CA', 'AA']);
      expect(oulAcks.map((a) => segment(a, 'MSH')[8])).toEqual(['ACK^R22^ACK', 'ACK^R22^ACK']);

      const resources = async (accession: string) => {
        const report = (await readReport(accession))!;
        const observations = await readResults(report);
        const { meta: _meta, ...rest } = report;
        const bare = [rest, ...observations.map(({ meta: _m, ...o }) => o)];
        return JSON.parse(JSON.stringify(bare).replaceAll(accession, '{accession}')) as unknown[];
      };
      const fromOru = await resources('EQ-ORU');
      const fromOul = await resources('EQ-OUL');
      expect(fromOul).toEqual(fromOru);
      const [, potassium, , hemolysis] = fromOul as fhir4.Observation[];
      expect(potassium!.valueQuantity).toMatchObject({
        value: 5.8,
        unit: 'mmol/L',
        system: 'http://unitsofmeasure.org',
      });
      expect(potassium!.code.coding?.map((c) => c.code)).toEqual(['K', '2823-3']);
      expect(hemolysis!.valueString).toBe('无溶血');

      // the OUL under the ORU's accession: the same clinical content, recognised — no new event
      const again = await t.mllp.sendExpecting(as(oul, 'EQ-ORU', 'EQ-OUL-2'), 2);
      expect(again.map((a) => segment(a, 'MSA')[1])).toEqual(['CA', 'AA']);
      expect(await t.hub.store.readStream('labreport-H001-EQ-ORU')).toHaveLength(1);
    });

    it('the same OUL^R22 sent twice (two SPM groups, two OBR on the first): the same ACK, each report recorded once', async () => {
      const message = fixture('oul/cn-lis-two-specimens-oul-r22-v251.hl7');
      const first = await t.mllp.send(message);
      const again = await t.mllp.send(message);
      expect(segment(first, 'MSA')[1]).toBe('AA');
      expect(again).toBe(first);
      for (const accession of ['ACC-9001', 'ACC-9002', 'ACC-9003'])
        expect(await t.hub.store.readStream(`labreport-H001-${accession}`)).toHaveLength(1);
      const liver = (await readReport('ACC-9001'))!;
      const renal = (await readReport('ACC-9002'))!;
      expect(
        (await readResults(liver)).map((o) => [o.code.coding?.[0]?.code, o.valueQuantity?.value]),
      ).toEqual([
        ['1742-6', 35],
        ['1920-8', 28],
        ['SPVOL', 3.5],
      ]);
      expect((await readResults(renal)).map((o) => o.valueQuantity?.unit)).toEqual(['umol/L']);
    });

    it('R23 and R24: AA, recorded with their values and units', async () => {
      expect(segment(await t.mllp.send(fixture('oul/cn-lis-glucose-oul-r23-v251.hl7')), 'MSA')[1]).toBe('AA');
      expect(segment(await t.mllp.send(fixture('oul/cn-lis-cbc-oul-r24-v251.hl7')), 'MSA')[1]).toBe('AA');
      const glucose = await readResults((await readReport('ACC-9201'))!);
      expect(glucose[0]!.valueQuantity).toMatchObject({ value: 5.4, unit: 'mmol/L' });
      const cbc = await readResults((await readReport('ACC-9101'))!);
      expect(cbc.map((o) => [o.code.coding?.[0]?.code, o.valueQuantity?.unit ?? o.valueString])).toEqual([
        ['718-7', 'g/L'],
        ['6690-2', '10*9/L'],
        ['SPAPP', '无凝块'],
      ]);
    });

    it('OUL^R21 (v2.4): accepted as ACK^R21^ACK (CA: MSH-15 AL, MSH-16 NE), recorded with its values and units', async () => {
      const text = fixture('oul/cn-lis-electrolytes-oul-r21-v24.hl7').replaceAll(
        'ACC-20240520-7789',
        'ACC-R21-7789',
      );
      const ack = await t.mllp.send(text);
      expect(segment(ack, 'MSH')[8]).toBe('ACK^R21^ACK');
      expect(segment(ack, 'MSA')[1]).toBe('CA');
      const results = await readResults((await readReport('ACC-R21-7789'))!);
      expect(
        results.map((o) => [o.code.coding?.[1]?.code, o.valueQuantity?.value, o.valueQuantity?.unit]),
      ).toEqual([
        ['2823-3', 5.8, 'mmol/L'],
        ['2951-2', 139, 'mmol/L'],
      ]);
    });

    it('an OUL without PID: AE with ERR at PID-3 (101), nothing recorded', async () => {
      const before = await storedEvents(t.hub);
      const text = withSegment(fixture('oul/cn-lis-glucose-oul-r23-v251.hl7'), 'PID', 1, () => null).replace(
        'OUL-R23-0001',
        'OUL-R23-NOPID',
      );
      const ack = await t.mllp.send(text);
      expect(segment(ack, 'MSH')[8]).toBe('ACK^R23^ACK');
      expect(segment(ack, 'MSA')[1]).toBe('AE');
      expect(errors(ack)).toEqual(['PID^1^3 101']);
      expect(await storedEvents(t.hub)).toBe(before);
    });
  });
});
