/**
 * HL7 v2 2.3 to 2.10 end to end: each version's ORU^R01 (its own structure: PRT, patient
 * observation, ARV, OBX-29 …) sent over the real MLLP socket, answered AA after the durable
 * append, read back through the platform's FHIR API with fhir-kit-client, and every resource
 * read back valid against the R4 StructureDefinitions.
 */
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { mapOruR01Lab, MllpClient } from '@yilian/hl7v2';
import { fixture } from '../../libs/hl7v2/test/fixtures';
import { eventually, platformClient, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

const field = (text: string, segment: string, n: number) =>
  (text.split('\r').find((s) => s.startsWith(`${segment}|`)) ?? '').split('|')[segment === 'MSH' ? n - 1 : n];

const VERSIONS: readonly (readonly [string, string])[] = [
  ['intl-tsh-preliminary-v23.hl7', '2.3'],
  ['cn-lis-urinalysis-v231.hl7', '2.3.1'],
  ['cn-lis-liver-function-v24.hl7', '2.4'],
  ['cn-lis-multi-obr-v25.hl7', '2.5'],
  ['cn-lis-electrolytes-spm-v251.hl7', '2.5.1'],
  ['cn-lis-hba1c-v26.hl7', '2.6'],
  ['cn-lis-lipids-patient-obs-v27.hl7', '2.7'],
  ['cn-lis-crp-v271.hl7', '2.7.1'],
  ['cn-lis-thyroid-v28.hl7', '2.8'],
  ['cn-lis-glucose-v281.hl7', '2.8.1'],
  ['cn-lis-renal-v282.hl7', '2.8.2'],
  ['cn-lis-troponin-v29.hl7', '2.9'],
  ['intl-hgb-v210.hl7', '2.10'],
];

function problems(resource: fhir4.Resource): string[] {
  return validateFhirResource(resource)
    .filter((i) => i.severity === 'error')
    .map((i) => `${resource.resourceType} ${i.path}: ${i.message}`);
}

describe('hub: HL7 v2 versions 2.3 to 2.10 over MLLP, read back over FHIR', () => {
  let hub: Hub;
  let mllp: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hl7_versions');
    mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await mllp?.close();
    await hub?.stop();
  });

  it.each(VERSIONS)('%s (%s): AA, and every resource read back is valid R4', async (name, version) => {
    const message = fixture(name);
    expect(field(message, 'MSH', 12)).toBe(version);
    const ack = await mllp.send(message);
    expect(field(ack, 'MSA', 1)).toBe('AA');
    expect(field(ack, 'MSH', 12)).toBe(version);
    // what the hub must hold: the mapping's own view of the message (asserted value by value in
    // the mapper specs), read back here through the platform
    const expected = mapOruR01Lab(message, { institution: 'H001', receivedAt: new Date().toISOString() });
    if (!expected.ok) throw new Error(JSON.stringify(expected.errors));
    const client = platformClient(hub);
    for (const draft of expected.reports) {
      const report = await eventually(
        async () =>
          (await client.read({
            resourceType: 'DiagnosticReport',
            id: `H001.${draft.accession}`,
          })) as fhir4.DiagnosticReport,
        (r) => r.resourceType === 'DiagnosticReport',
      );
      expect(report.status).toBe(draft.report.status);
      expect(report.result).toHaveLength(draft.observations.length);
      const read: fhir4.Resource[] = [report];
      for (const ref of report.result ?? []) {
        const [type, id] = ref.reference!.split('/');
        read.push(await client.read({ resourceType: type!, id: id! }));
      }
      expect(read.flatMap(problems)).toEqual([]);
    }
  });

  it('2.7: the patient observation is accepted and kept out of the report; PRT names the interpreter', async () => {
    const report = (await platformClient(hub).read({
      resourceType: 'DiagnosticReport',
      id: 'H001.F-27-118',
    })) as fhir4.DiagnosticReport;
    expect(report.resultsInterpreter?.[0]?.display).toBe('黄丽');
    const observations = await Promise.all(
      (report.result ?? []).map(
        async (r) =>
          (await platformClient(hub).read({
            resourceType: 'Observation',
            id: r.reference!.split('/')[1]!,
          })) as fhir4.Observation,
      ),
    );
    expect(observations.map((o) => o.code.coding?.[0]?.code)).not.toContain('29463-7');
  });

  it('answers AR 203 naming MSH-12 for a version before 2.3, and for text that is no version', async () => {
    for (const sent of ['2.2', 'v3']) {
      const message = fixture('cn-lis-glucose-v281.hl7')
        .replace('|2.8.1|', `|${sent}|`)
        .replace('V281-0001', `OLD-${sent}`);
      const ack = await mllp.send(message);
      expect(field(ack, 'MSA', 1)).toBe('AR');
      expect(field(ack, 'ERR', 2)).toBe('MSH^1^12^^1');
      expect(field(ack, 'ERR', 3)).toMatch(/^203\^/);
    }
  });
});
