/**
 * The ADT family over the real MLLP socket, each message in its event's structure (ADT_A01,
 * ADT_A02, ADT_A03, ADT_A05, ADT_A06, ADT_A39, ADT_A30, ADT_A37), as identity
 * events: demographics and links (A01 – A16, A25 – A28, A31, A45, A60), merges (A40, A47, A41 / A42 when they
 * name another record), separation (A37); replayed, the links table is rebuilt the same.
 */
import { patientKeyOfFhirId, type fhir4 } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { eventually, KEYS, PATIENT_KEY_SECRET, startTestHub, storedEvents } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
const R = keyer.forResidentId(SAMPLE_RESIDENT_ID);
const mrnKey = (mrn: string) => keyer.forMrn('H001', mrn);
const field = (ack: string, name: string, n: number) =>
  (ack.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '').split('|')[n];

const adt = (type: string, version: string, controlId: string, ...segments: string[]) =>
  [
    `MSH|^~\\&|HIS|H001|YILIAN|HUB|20261123100000+0800||${type}|${controlId}|P|${version}`,
    `EVN||20261123100000+0800`,
    ...segments,
  ].join('\r');
const pid = (mrn: string, extra = '') => `PID|1||${mrn}^^^HIS^MR${extra}||王^小明^^^^^L||19491231|M`;
const PV1 = (klass: string) => `PV1|1|${klass}|内科^101^1^H001`;

describe('hub: the ADT family as identity events', () => {
  let hub: Hub;
  let h001: MllpClient;
  beforeAll(async () => {
    hub = await startTestHub('hub_adt_family');
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
  });
  afterAll(async () => {
    await h001?.close();
    await hub?.stop();
  });

  const patientFor = async (identifier: string): Promise<string | undefined> => {
    const res = await fetch(`${hub.httpUrl}/fhir/Patient/_search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${KEYS.platform}`,
      },
      body: new URLSearchParams({ identifier }).toString(),
    });
    // the Patient id is the key's FHIR form (`pk-…`, contracts fhir-patient-id.ts)
    const id = ((await res.json()) as fhir4.Bundle).entry?.[0]?.resource?.id;
    return id === undefined ? undefined : patientKeyOfFhirId(id);
  };
  const mrn = (value: string) => `urn:yilian:institution:H001:mrn|${value}`;
  const aa = async (message: string) => {
    const ack = await h001.send(message);
    expect([field(ack, 'MSA', 1), field(ack, 'ERR', 8) ?? '']).toEqual(['AA', '']);
  };

  it.each([
    ['ADT^A01^ADT_A01', '2.5.1', [PV1('I')]],
    ['ADT^A02^ADT_A02', '2.6', [PV1('I')]],
    ['ADT^A03^ADT_A03', '2.7', [PV1('I')]],
    ['ADT^A04^ADT_A01', '2.3', [PV1('O')]],
    ['ADT^A05^ADT_A05', '2.8', [PV1('P')]],
    ['ADT^A06^ADT_A06', '2.5', [PV1('I'), 'MRG|OP-1^^^HIS^MR']],
    ['ADT^A07^ADT_A06', '2.5', [PV1('O')]],
    ['ADT^A08^ADT_A01', '2.9', [PV1('O')]],
    ['ADT^A28^ADT_A05', '2.4', []],
    ['ADT^A31^ADT_A05', '2.8.2', []],
    // every ADT event's PID is its patient: tracking, pending, cancel, visit move, allergies
    ['ADT^A10^ADT_A09', '2.5.1', [PV1('I')]],
    ['ADT^A12^ADT_A09', '2.5.1', [PV1('I')]],
    ['ADT^A15^ADT_A15', '2.6', [PV1('I')]],
    ['ADT^A25^ADT_A21', '2.5', [PV1('I')]],
    ['ADT^A45^ADT_A45', '2.5.1', ['MRG|M-OLD^^^HIS^MR|||||V-77', PV1('I')]],
    ['ADT^A60^ADT_A60', '2.5.1', ['IAM|1|DA|1605^Penicillin^L']],
  ] as const)(
    '%s (%s): demographics recorded, the MRN linked to the resident ID number',
    async (type, version, rest) => {
      const own = `M-${type.slice(4, 7)}`;
      await aa(adt(type, version, `C-${own}`, pid(own, `~${SAMPLE_RESIDENT_ID}^^^^NNCHN`), ...rest));
      expect(
        await eventually(
          () => patientFor(mrn(own)),
          (k) => k === R,
        ),
      ).toBe(R);
    },
  );

  it('ADT^A29 (delete person information) stays AR 201, nothing recorded', async () => {
    const before = await storedEvents(hub);
    const ack = await h001.send(adt('ADT^A29^ADT_A21', '2.5.1', 'C-A29', pid('M-A29'), PV1('I')));
    expect([field(ack, 'MSA', 1), field(ack, 'ERR', 2), field(ack, 'ERR', 3)?.split('^')[0]]).toEqual([
      'AR',
      'MSH^1^9^^2',
      '201',
    ]);
    expect(await storedEvents(hub)).toBe(before);
  });

  it('ADT^A40 (ADT_A39) and ADT^A47 (ADT_A30, MRG-1 the old identifier) merge; A41 / A42 on one record change nothing', async () => {
    await aa(adt('ADT^A40^ADT_A39', '2.5.1', 'C-A40', pid('M-A01'), 'MRG|DUP-1^^^HIS^MR'));
    await aa(adt('ADT^A47^ADT_A30', '2.8', 'C-A47', pid('M-A01'), 'MRG|OLD-7^^^HIS^MR'));
    expect(
      await eventually(
        () => patientFor(mrn('DUP-1')),
        (k) => k === R,
      ),
    ).toBe(R);
    expect(
      await eventually(
        () => patientFor(mrn('OLD-7')),
        (k) => k === R,
      ),
    ).toBe(R);
    expect((await hub.store.readStream(`patient-${mrnKey('OLD-7')}`)).map((e) => e.type)).toEqual([
      'PatientsMerged',
    ]);

    const before = await storedEvents(hub);
    await aa(adt('ADT^A41^ADT_A39', '2.5.1', 'C-A41', pid('M-A01'), 'MRG|M-A01^^^HIS^MR||ACC-1'));
    await aa(adt('ADT^A42^ADT_A39', '2.5.1', 'C-A42', pid('M-A01'), PV1('I'), 'MRG|||||V-9'));
    expect(await storedEvents(hub)).toBe(before);
    // an account merge naming another record merges it
    await aa(adt('ADT^A41^ADT_A39', '2.6', 'C-A41b', pid('M-A01'), 'MRG|DUP-2^^^HIS^MR||ACC-2'));
    expect(
      await eventually(
        () => patientFor(mrn('DUP-2')),
        (k) => k === R,
      ),
    ).toBe(R);
  });

  it('ADT^A37 (ADT_A37) separates the merged record again; a merge without MRG is AE naming MRG', async () => {
    await aa(adt('ADT^A37^ADT_A37', '2.5.1', 'C-A37', pid('M-A01'), pid('DUP-1')));
    expect(
      await eventually(
        () => patientFor(mrn('DUP-1')),
        (k) => k === mrnKey('DUP-1'),
      ),
    ).toBe(mrnKey('DUP-1'));
    const ack = await h001.send(adt('ADT^A47^ADT_A30', '2.8', 'C-A47x', pid('M-A01')));
    expect(field(ack, 'MSA', 1)).toBe('AE');
    expect(field(ack, 'ERR', 2)).toMatch(/^MRG\^1/);
  });

  it('replays: the links rebuilt from the log equal the live table; results follow the person', async () => {
    const ack = await h001.send(oruR01({ controlId: 'L-DUP2', accession: 'DUP2-L', mrn: 'DUP-2' }));
    expect(field(ack, 'MSA', 1)).toBe('AA');
    // the live read models have caught up with the report (results follow the person: DUP-2 is R's)
    await eventually(
      async () => {
        const res = await fetch(`${hub.httpUrl}/fhir/DiagnosticReport?patient=Patient/${R}`, {
          headers: { authorization: `Bearer ${KEYS.platform}` },
        });
        return ((await res.json()) as fhir4.Bundle).entry?.map((e) => e.resource!.id) ?? [];
      },
      (ids) => ids.includes('H001.DUP2-L'),
    );
    const rebuilt = await rebuildAndCompare({
      store: hub.store,
      readModelUrl: hub.databaseUrl,
      projections: ALL_PROJECTIONS,
    });
    expect(rebuilt.tables.find((t) => t.table === 'rm_patient_links')).toMatchObject({ same: true });
  });
});
