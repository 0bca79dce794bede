import { fhirPatientId, patientKeyOfFhirId, type fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { labReportBundle, oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { eventually, KEYS, PATIENT_KEY_SECRET, platformClient, postFhir, startTestHub } from './hub-harness';

// One person across institutions, driven as member systems and the regional platform drive the
// hub: H001 and C002 send results over MLLP and FHIR with their own MRNs and the same resident
// ID number; an MRN-only report joins once a message carries MRN + ID; an ADT^A40 merge pulls a
// duplicate record in and $unmerge separates it again. The platform sees one patient.
type Hub = Awaited<ReturnType<typeof startTestHub>>;
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
const RID = SAMPLE_RESIDENT_ID;
const OTHER_RID = '53010219200508011X';
const R = keyer.forResidentId(RID);
const mrnKey = (institution: string, mrn: string) => keyer.forMrn(institution, mrn);

function msa(ack: string): string[] {
  return (ack.split('\r').find((s) => s.startsWith('MSA|')) ?? '').split('|');
}
function err(ack: string): string {
  return (ack.split('\r').find((s) => s.startsWith('ERR|')) ?? '').split('|')[2] ?? '';
}

const adt = (type: string, controlId: string, ...segments: string[]) =>
  [
    `MSH|^~\\&|HIS|H001|YILIAN|HUB|20261123100000+0800||${type}|${controlId}|P|2.5.1`,
    `EVN|${type.slice(4, 7)}|20261123100000+0800`,
    ...segments,
  ].join('\r');

describe('hub: one patient across institutions (links, merge, unmerge)', () => {
  let hub: Hub;
  let h001: MllpClient;
  let c002: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hub_patients');
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
  });
  afterAll(async () => {
    await h001?.close();
    await c002?.close();
    await hub?.stop();
  });

  const reportIds = async (key: string): Promise<string[]> => {
    const bundle = (await platformClient(hub).search({
      resourceType: 'DiagnosticReport',
      searchParams: { patient: `Patient/${key}` },
    })) as fhir4.Bundle;
    return (bundle.entry ?? []).map((e) => e.resource!.id!).sort();
  };
  /** Waits for the platform's read model to show exactly these reports for the patient. */
  const eventuallyReports = async (key: string, expected: string[]) => {
    const want = [...expected].sort();
    const ids = await eventually(
      () => reportIds(key),
      (found) => JSON.stringify(found) === JSON.stringify(want),
    );
    expect(ids).toEqual(want);
    return ids;
  };
  const patientFor = async (identifier: string): Promise<string> => {
    const res = await fetch(`${hub.httpUrl}/fhir/Patient/_search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${KEYS.platform}`,
      },
      body: new URLSearchParams({ identifier }).toString(),
    });
    const bundle = (await res.json()) as fhir4.Bundle;
    // the Patient id is the key's FHIR form (`pk-…`, contracts fhir-patient-id.ts)
    const id = bundle.entry![0]!.resource!.id!;
    expect(id).toBe(fhirPatientId(patientKeyOfFhirId(id)));
    return patientKeyOfFhirId(id);
  };
  const sendAck = async (client: MllpClient, message: string) => msa(await client.send(message))[1];

  it('makes one patient of H001 and C002 records carrying the same resident ID number', async () => {
    expect(
      await sendAck(h001, oruR01({ controlId: 'P-1', accession: 'HA-1', mrn: 'H-100', residentId: RID })),
    ).toBe('AA');
    expect(
      await sendAck(c002, oruR01({ controlId: 'P-2', accession: 'CA-1', mrn: 'C-200', residentId: RID })),
    ).toBe('AA');
    const fhir = labReportBundle({
      accession: 'CF-1',
      residentId: RID,
      mrn: { institution: 'C002', value: 'C-201' },
    });
    expect((await postFhir(hub, '', fhir, KEYS.C002)).status).toBe(201);

    // the MRNs are linked to the resident ID number's key: events keyed, never in clear
    const linked = await hub.store.readStream(`patient-${mrnKey('H001', 'H-100')}`);
    expect(linked.map((e) => [e.type, e.data])).toEqual([
      [
        'PatientIdentifiersLinked',
        {
          memberKey: mrnKey('H001', 'H-100'),
          patientKey: R,
          institution: 'H001',
          reason: 'same-resident-id',
        },
      ],
    ]);
    expect(linked[0]!.metadata.patientKey).toBe(mrnKey('H001', 'H-100'));
    expect(await hub.store.readStream(`patient-${mrnKey('C002', 'C-201')}`)).toHaveLength(1);

    const all = ['C002.CA-1', 'C002.CF-1', 'H001.HA-1'];
    await eventuallyReports(R, all);
    // a member key finds the same patient, and so does an identifier searched by POST (the
    // links are another projection lane's: eventually, like the reports)
    await eventuallyReports(mrnKey('C002', 'C-200'), all);
    expect(await patientFor('urn:yilian:institution:C002:mrn|C-200')).toBe(R);
  });

  it('joins an MRN-only report once a message carries the MRN with the resident ID number', async () => {
    expect(await sendAck(h001, oruR01({ controlId: 'P-3', accession: 'HA-3', mrn: 'H-300' }))).toBe('AA');
    const h300 = mrnKey('H001', 'H-300');
    await eventuallyReports(h300, ['H001.HA-3']);
    expect(await reportIds(R)).not.toContain('H001.HA-3');

    const a08 = adt(
      'ADT^A08^ADT_A01',
      'P-4',
      `PID|1||H-300^^^HIS^MR~${RID}^^^NNCHN^NNCHN||王^小明||19491231|F`,
    );
    expect(await sendAck(h001, a08)).toBe('AA');
    expect(await sendAck(h001, a08)).toBe('AA'); // a resend: the same answer, nothing new
    expect(await hub.store.readStream(`patient-${h300}`)).toHaveLength(1);
    const demographics = await hub.store.readStream(`patient-${R}`);
    expect(demographics.map((e) => e.data)).toEqual([
      {
        patientKey: R,
        institution: 'H001',
        demographics: { name: [{ text: '王小明' }], gender: 'female', birthDate: '1949-12-31' },
      },
    ]);

    await eventuallyReports(R, ['C002.CA-1', 'C002.CF-1', 'H001.HA-1', 'H001.HA-3']);
    expect(await patientFor('urn:yilian:institution:H001:mrn|H-300')).toBe(R);
  });

  it('merges a duplicate record with ADT^A40 and separates it again with $unmerge', async () => {
    expect(await sendAck(h001, oruR01({ controlId: 'P-5', accession: 'HA-4', mrn: 'H-400' }))).toBe('AA');
    const h400 = mrnKey('H001', 'H-400');
    await eventuallyReports(h400, ['H001.HA-4']);
    const before = await reportIds(R);
    expect(before).not.toContain('H001.HA-4');

    // survivor named by its MRN only: H-400 → H-100 → the resident ID number's key
    const a40 = adt('ADT^A40^ADT_A39', 'P-6', 'PID|1||H-100^^^HIS^MR||王^小明', 'MRG|H-400^^^HIS^MR');
    expect(await sendAck(h001, a40)).toBe('AA');
    await eventuallyReports(R, [...before, 'H001.HA-4']);
    expect(await patientFor('urn:yilian:institution:H001:mrn|H-400')).toBe(R);

    const unmerge: fhir4.Parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'source-patient-identifier',
          valueIdentifier: { system: 'urn:yilian:institution:H001:mrn', value: 'H-400' },
        },
        {
          name: 'target-patient-identifier',
          valueIdentifier: { system: 'urn:yilian:institution:H001:mrn', value: 'H-100' },
        },
      ],
    };
    const res = await postFhir(hub, '/Patient/$unmerge', unmerge);
    expect(res.status).toBe(200);
    expect((await hub.store.readStream(`patient-${h400}`)).map((e) => e.type)).toEqual([
      'PatientsMerged',
      'PatientsUnmerged',
    ]);
    await eventuallyReports(R, before);
    expect(await reportIds(h400)).toEqual(['H001.HA-4']);
    expect(await patientFor('urn:yilian:institution:H001:mrn|H-400')).toBe(h400);
    // unmerge only what was merged
    const again = await postFhir(hub, '/Patient/$unmerge', unmerge);
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.body)).toContain('neither merged nor linked');
  });

  it('refuses a merge into itself and a second resident ID number for a linked MRN, naming the field', async () => {
    const self = await h001.send(adt('ADT^A40', 'P-7', 'PID|1||H-100^^^HIS^MR', 'MRG|H-100^^^HIS^MR'));
    expect(msa(self)[1]).toBe('AE');
    expect(err(self)).toMatch(/^MRG\^1\^1/);

    const conflict = await h001.send(
      oruR01({ controlId: 'P-8', accession: 'HA-8', mrn: 'H-100', residentId: OTHER_RID }),
    );
    expect(msa(conflict)[1]).toBe('AE');
    expect(conflict).toContain('already linked to another patient');
    expect(conflict).not.toContain(OTHER_RID);
    expect(await hub.store.readStream('labreport-H001-HA-8')).toHaveLength(0);
  });

  it('takes a FHIR Patient: demographics, and a confirmed match (seealso) that joins the patient', async () => {
    const patient: fhir4.Patient = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:yilian:institution:C002:mrn', value: 'C-500' }],
      name: [{ family: '王', given: ['小明'] }],
      gender: 'female',
      telecom: [{ system: 'phone', value: '13800000000' }],
      link: [
        { type: 'seealso', other: { identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: RID } } },
      ],
    };
    const c500 = mrnKey('C002', 'C-500');
    const first = await postFhir(hub, '/Patient', patient, KEYS.C002);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ resourceType: 'Patient', id: fhirPatientId(c500) });
    expect((await postFhir(hub, '/Patient', patient, KEYS.C002)).status).toBe(200);
    const events = await hub.store.readStream(`patient-${c500}`);
    expect(events.map((e) => e.type)).toEqual(['PatientDemographicsRecorded', 'PatientIdentifiersLinked']);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('13800000000');
    const found = await eventually(
      () => patientFor('urn:yilian:institution:C002:mrn|C-500'),
      (key) => key === R,
    );
    expect(found).toBe(R);

    const bad = await postFhir(
      hub,
      '/Patient',
      {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '110105194912310021' }],
      },
      KEYS.C002,
    );
    expect(bad.status).toBe(400);
    const outcome = bad.body as fhir4.OperationOutcome;
    expect(outcome.issue[0]!.expression).toEqual(['Patient.identifier[0].value']);
    expect(JSON.stringify(outcome)).not.toContain('110105194912310021');
  });

  it('never writes a resident ID number into the log of events', async () => {
    const events = await hub.store.readAll();
    expect(events.length).toBeGreaterThan(10);
    expect(JSON.stringify(events, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      RID,
    );
    for (const e of events) expect(e.metadata.patientKey ?? e.stream).not.toMatch(/\d{17}[\dX]/);
  });

  it('rebuilds the patient links from the log to the same table', async () => {
    const rebuilt = await rebuildAndCompare({
      store: hub.store,
      readModelUrl: hub.databaseUrl,
      projections: ALL_PROJECTIONS,
    });
    expect(rebuilt.tables.find((t) => t.table === 'rm_patient_links')).toMatchObject({ same: true });
  });
});
