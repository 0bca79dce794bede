import Client from 'fhir-kit-client';
import { fhirPatientId, patientKeyOfFhirId, type fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { labReportBundle, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { fixture as fhirFixture } from '../../libs/fhir/test/fixtures';
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
} from './referrals-harness';

// As of a past moment (docs/as-of.md): H001 records a lab report for an MRN-only record and
// corrects it, C002 records one for the resident ID number, H001 links its MRN to that number,
// records a report under a second MRN and merges it in, C002 refers the patient up and H001
// accepts. After each step the test notes the moment; then an auditor asks, with fhir-kit-client,
// what the hub knew at each moment — from the log — and gets exactly that.
const RID = SAMPLE_RESIDENT_ID;
// FHIR Patient ids (`pk-…`, contracts fhir-patient-id.ts): what the answers carry
const R = fhirPatientId(keyer.forResidentId(RID));
const M1 = fhirPatientId(keyer.forMrn('H001', 'H-1'));
const M9 = fhirPatientId(keyer.forMrn('H001', 'H-9'));
const REFERRAL = 'C002.AS-REF-1';
const K_OBS = 'H001.AS-1.o1';
/** The patient of the official R4 ImagingStudy example, as C002 sends it. */
const MD = fhirPatientId(keyer.forMrn('C002', 'dicom'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorsOf = (r: fhir4.Resource) => validateFhirResource(r).filter((i) => i.severity === 'error');

describe('as of a past moment: results, referrals and identity links from the log', () => {
  let hub: ReferralsHub;
  let auditor: Client;
  const moments: Record<string, string> = {};
  /** Notes the moment once the step is recorded (and a little time has passed on both sides). */
  const mark = async (name: string) => {
    await sleep(15);
    moments[name] = new Date().toISOString();
    await sleep(15);
  };
  const reportIds = async (key: string) =>
    (
      (
        (await platformClient(hub).search({
          resourceType: 'DiagnosticReport',
          searchParams: { patient: `Patient/${key}` },
        })) as fhir4.Bundle
      ).entry ?? []
    )
      .map((e) => `${e.resource!.id}@${e.resource!.meta!.versionId}`)
      .sort();
  const projected = async (key: string, want: string[]) =>
    expect(
      await eventually(
        () => reportIds(key),
        (ids) => JSON.stringify(ids) === JSON.stringify(want),
      ),
    ).toEqual(want);
  const lab = (
    accession: string,
    mrn: string | undefined,
    extra: Parameters<typeof labReportBundle>[0] = { accession },
  ) =>
    labReportBundle({
      ...extra,
      accession,
      ...(mrn ? { mrn: { institution: 'H001', value: mrn } } : {}),
    });

  beforeAll(async () => {
    hub = await startReferralsHub('as_of');
    await setUpAlliance(hub);
    auditor = new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEYS.auditor}` },
    });
    await mark('before');

    expect(
      (await call(hub, 'POST', '/fhir', KEYS.H001, lab('AS-1', 'H-1', { accession: 'AS-1', potassium: 4.1 })))
        .status,
    ).toBe(201);
    await projected(M1, ['H001.AS-1@1']);
    await mark('recorded');

    const corrected = lab('AS-1', 'H-1', { accession: 'AS-1', potassium: 5.2, status: 'corrected' });
    expect((await call(hub, 'POST', '/fhir', KEYS.H001, corrected)).status).toBe(201);
    await projected(M1, ['H001.AS-1@2']);
    await mark('corrected');

    const c002 = labReportBundle({ accession: 'CB-1', institution: 'C002', residentId: RID });
    expect((await call(hub, 'POST', '/fhir', KEYS.C002, c002)).status).toBe(201);
    await projected(R, ['C002.CB-1@1']);
    await mark('other');

    const link: fhir4.Patient = {
      resourceType: 'Patient',
      identifier: [
        { system: 'urn:oid:2.16.156.10011.1.3', value: RID },
        { system: 'urn:yilian:institution:H001:mrn', value: 'H-1' },
      ],
      gender: 'male',
    };
    expect((await call(hub, 'POST', '/fhir/Patient', KEYS.H001, link)).status).toBeLessThan(300);
    await projected(R, ['C002.CB-1@1', 'H001.AS-1@2']);
    await mark('linked');

    expect((await call(hub, 'POST', '/fhir', KEYS.H001, lab('AS-9', 'H-9'))).status).toBe(201);
    await projected(M9, ['H001.AS-9@1']);
    const merge: fhir4.Parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'source-patient-identifier',
          valueIdentifier: { system: 'urn:yilian:institution:H001:mrn', value: 'H-9' },
        },
        {
          name: 'target-patient-identifier',
          valueIdentifier: { system: 'urn:oid:2.16.156.10011.1.3', value: RID },
        },
      ],
    };
    expect((await call(hub, 'POST', '/fhir/Patient/$merge', KEYS.H001, merge)).status).toBe(200);
    await projected(R, ['C002.CB-1@1', 'H001.AS-1@2', 'H001.AS-9@1']);
    await mark('merged');

    const sr = serviceRequest({
      number: 'AS-REF-1',
      sender: 'C002',
      receiver: 'H001',
      subject: { reference: 'Patient/x' },
    });
    expect(
      (await call(hub, 'POST', '/fhir', KEYS.C002, referralBundle(sr, patientWithResidentId(RID)))).status,
    ).toBe(201);
    await mark('referred');

    expect(
      (await call(hub, 'PUT', `/fhir/Task/${REFERRAL}`, KEYS.H001, task(REFERRAL, 'accepted'))).status,
    ).toBe(200);
    await eventually(
      async () => (await platformClient(hub).read({ resourceType: 'Task', id: REFERRAL })) as fhir4.Task,
      (t) => t.status === 'accepted',
    );
    await mark('accepted');

    const unmerge = { ...merge };
    expect((await call(hub, 'POST', '/fhir/Patient/$unmerge', KEYS.H001, unmerge)).status).toBe(200);
    await projected(R, ['C002.CB-1@1', 'H001.AS-1@2']);
    await mark('unmerged');

    const example = fhirFixture<fhir4.ImagingStudy>('r4/imagingstudy-example.json');
    expect((await call(hub, 'POST', '/fhir/ImagingStudy', KEYS.C002, example)).status).toBe(201);
    const studies = async () =>
      (
        (
          (await platformClient(hub).search({
            resourceType: 'ImagingStudy',
            searchParams: { patient: `Patient/${MD}` },
          })) as fhir4.Bundle
        ).entry ?? []
      ).map((e) => `${e.resource!.meta!.versionId} ${(e.resource as fhir4.ImagingStudy).status}`);
    await eventually(studies, (v) => v.join() === '1 available');
    await mark('study');
    const cancelled = { ...example, status: 'cancelled' as const };
    expect((await call(hub, 'POST', '/fhir/ImagingStudy', KEYS.C002, cancelled)).status).toBeLessThan(300);
    expect(await eventually(studies, (v) => v.join() === '2 cancelled')).toEqual(['2 cancelled']);
    await mark('study-cancelled');
  }, 120_000);
  afterAll(() => hub?.stop());

  const at = async (type: string, key: string, moment: string) => {
    const bundle = (await auditor.search({
      resourceType: type,
      searchParams: { patient: `Patient/${key}`, _at: moments[moment]! },
    })) as fhir4.Bundle;
    const resources = (bundle.entry ?? []).map((e) => e.resource!);
    for (const r of resources) expect(errorsOf(r)).toEqual([]);
    return resources;
  };
  const versions = (resources: fhir4.Resource[]) =>
    resources.map((r) => `${r.id}@${r.meta?.versionId}`).sort();
  const potassium = (resources: fhir4.Resource[]) =>
    (resources.find((r) => r.id === K_OBS) as fhir4.Observation | undefined)?.valueQuantity?.value;
  const everything = async (key: string, moment: string) => {
    const bundle = (await auditor.operation({
      name: '$everything',
      resourceType: 'Patient',
      id: key,
      method: 'GET',
      input: { _at: moments[moment]! },
    })) as fhir4.Bundle;
    expect(bundle.type).toBe('searchset');
    const resources = (bundle.entry ?? []).map((e) => e.resource!);
    for (const r of resources) expect(errorsOf(r)).toEqual([]);
    return resources;
  };
  const patients = (resources: fhir4.Resource[]) =>
    Object.fromEntries(
      resources
        .filter((r): r is fhir4.Patient => r.resourceType === 'Patient')
        .map((p) => [p.id, (p.link ?? []).map((l) => `${l.type} ${l.other.reference}`).sort()]),
    );

  it('before anything was recorded: nothing', async () => {
    expect(await at('DiagnosticReport', M1, 'before')).toEqual([]);
    expect(await at('DiagnosticReport', R, 'before')).toEqual([]);
    expect(patients(await everything(R, 'before'))).toEqual({ [R]: [] });
  });

  it('a report, then its correction: each version as it stood', async () => {
    const first = await at('DiagnosticReport', M1, 'recorded');
    expect(versions(first)).toEqual(['H001.AS-1@1']);
    expect((first[0] as fhir4.DiagnosticReport).status).toBe('final');
    expect(potassium(await at('Observation', M1, 'recorded'))).toBe(4.1);

    const second = await at('DiagnosticReport', M1, 'corrected');
    expect(versions(second)).toEqual(['H001.AS-1@2']);
    expect((second[0] as fhir4.DiagnosticReport).status).toBe('corrected');
    expect(potassium(await at('Observation', M1, 'corrected'))).toBe(5.2);
    // the resident ID number's patient did not have it yet: the MRN was not linked then
    expect(await at('DiagnosticReport', R, 'corrected')).toEqual([]);
  });

  it('links and merges: the patient had what its keys had at the moment', async () => {
    expect(versions(await at('DiagnosticReport', R, 'other'))).toEqual(['C002.CB-1@1']);
    expect(patients(await everything(R, 'other'))).toEqual({ [R]: [] });

    expect(versions(await at('DiagnosticReport', R, 'linked'))).toEqual(['C002.CB-1@1', 'H001.AS-1@2']);
    expect(patients(await everything(R, 'linked'))).toEqual({
      [R]: [`seealso Patient/${M1}`],
      [M1]: [`seealso Patient/${R}`],
    });
    // asked by the member key, the same person
    expect(versions(await at('DiagnosticReport', M1, 'linked'))).toEqual(['C002.CB-1@1', 'H001.AS-1@2']);

    const merged = await everything(R, 'merged');
    expect(patients(merged)).toEqual({
      [R]: [`replaces Patient/${M9}`, `seealso Patient/${M1}`].sort(),
      [M1]: [`seealso Patient/${R}`],
      [M9]: [`replaced-by Patient/${R}`],
    });
    expect(versions(merged.filter((r) => r.resourceType === 'DiagnosticReport'))).toEqual([
      'C002.CB-1@1',
      'H001.AS-1@2',
      'H001.AS-9@1',
    ]);
    expect(merged.some((r) => r.resourceType === 'ServiceRequest')).toBe(false);
  });

  it('an unmerge: before it the merged record was the patient’s, after it not', async () => {
    expect(versions(await at('DiagnosticReport', M9, 'merged'))).toEqual([
      'C002.CB-1@1',
      'H001.AS-1@2',
      'H001.AS-9@1',
    ]);
    expect(versions(await at('DiagnosticReport', M9, 'unmerged'))).toEqual(['H001.AS-9@1']);
    expect(versions(await at('DiagnosticReport', R, 'unmerged'))).toEqual(['C002.CB-1@1', 'H001.AS-1@2']);
    expect(patients(await everything(R, 'unmerged'))).toEqual({
      [R]: [`seealso Patient/${M1}`],
      [M1]: [`seealso Patient/${R}`],
    });
  });

  it('Patient _history from the key’s identity stream: each version with its event', async () => {
    const stream = await hub.store.readStream(`patient-${patientKeyOfFhirId(M9)}`);
    expect(stream.map((e) => e.type)).toEqual(['PatientsMerged', 'PatientsUnmerged']);
    const history = (await auditor.history({ resourceType: 'Patient', id: M9 })) as fhir4.Bundle;
    const shown = history.entry!.map((e) => e.resource as fhir4.Patient);
    for (const p of shown) expect(errorsOf(p)).toEqual([]);
    expect(
      shown.map((p) => [
        p.meta!.versionId,
        p.meta!.source,
        p.meta!.tag![0]!.code,
        p.meta!.lastUpdated,
        (p.link ?? []).map((l) => `${l.type} ${l.other.reference}`),
      ]),
    ).toEqual([
      ['2', `urn:uuid:${stream[1]!.id}`, 'PatientsUnmerged', stream[1]!.recordedAt, []],
      [
        '1',
        `urn:uuid:${stream[0]!.id}`,
        'PatientsMerged',
        stream[0]!.recordedAt,
        [`replaced-by Patient/${R}`],
      ],
    ]);
    const v1 = (await auditor.vread({ resourceType: 'Patient', id: M9, version: '1' })) as fhir4.Patient;
    expect(v1.link?.[0]?.type).toBe('replaced-by');
  });

  it('an imaging study and its cancellation: the study as it stood', async () => {
    expect(await at('ImagingStudy', MD, 'unmerged')).toEqual([]);
    const first = await at('ImagingStudy', MD, 'study');
    expect(first.map((r) => [(r as fhir4.ImagingStudy).status, r.meta?.versionId])).toEqual([
      ['available', '1'],
    ]);
    const then = await at('ImagingStudy', MD, 'study-cancelled');
    expect(then.map((r) => [(r as fhir4.ImagingStudy).status, r.meta?.versionId])).toEqual([
      ['cancelled', '2'],
    ]);
    expect(await at('ImagingStudy', R, 'study-cancelled')).toEqual([]);
    const v1 = (await auditor.vread({
      resourceType: 'ImagingStudy',
      id: first[0]!.id!,
      version: '1',
    })) as fhir4.ImagingStudy;
    expect([v1.status, v1.meta?.tag?.[0]?.code]).toEqual(['available', 'ImagingStudyRecorded']);
    expect(errorsOf(v1)).toEqual([]);
  });

  it('a referral and its next step: the ServiceRequest and Task as they were', async () => {
    expect(await at('ServiceRequest', R, 'merged')).toEqual([]);
    const requested = await at('Task', R, 'referred');
    expect(requested.map((t) => [(t as fhir4.Task).status, t.meta?.versionId])).toEqual([['requested', '1']]);
    expect(versions(await at('ServiceRequest', R, 'referred'))).toEqual([`${REFERRAL}@1`]);
    const accepted = await at('Task', R, 'accepted');
    expect(accepted.map((t) => [(t as fhir4.Task).status, t.meta?.versionId])).toEqual([['accepted', '2']]);
  });

  it('as of now, the log gives exactly what the read models serve', async () => {
    await mark('now');
    for (const [type, key] of [
      ['DiagnosticReport', R],
      ['Observation', R],
      ['ServiceRequest', R],
      ['Task', R],
      ['DiagnosticReport', M9],
      ['ImagingStudy', MD],
    ] as const) {
      const live = (
        (await platformClient(hub).search({
          resourceType: type,
          searchParams: { patient: `Patient/${key}`, _count: '100' },
        })) as fhir4.Bundle
      ).entry!.map((e) => e.resource!);
      const byId = (rs: fhir4.Resource[]) => [...rs].sort((a, b) => a.id!.localeCompare(b.id!));
      expect([type, key, live.length > 0]).toEqual([type, key, true]);
      expect(byId(await at(type, key, 'now'))).toEqual(byId(live));
    }
  });

  it('Observation _history and vread from the log: each version with its time and its event', async () => {
    const stream = await hub.store.readStream('labreport-H001-AS-1');
    const history = (await auditor.history({ resourceType: 'Observation', id: K_OBS })) as fhir4.Bundle;
    expect(history.type).toBe('history');
    const shown = history.entry!.map((e) => e.resource as fhir4.Observation);
    for (const o of shown) expect(errorsOf(o)).toEqual([]);
    expect(
      shown.map((o) => [o.meta!.versionId, o.valueQuantity!.value, o.meta!.source, o.meta!.lastUpdated]),
    ).toEqual([
      ['2', 5.2, `urn:uuid:${stream[1]!.id}`, stream[1]!.recordedAt],
      ['1', 4.1, `urn:uuid:${stream[0]!.id}`, stream[0]!.recordedAt],
    ]);
    expect(shown[0]!.meta!.tag).toEqual([
      { system: 'https://fhir.yilian.cn/CodeSystem/event-type', code: 'LabReportRecorded' },
    ]);
    const v1 = (await auditor.vread({
      resourceType: 'Observation',
      id: K_OBS,
      version: '1',
    })) as fhir4.Observation;
    expect(v1.valueQuantity!.value).toBe(4.1);
    const report = (await auditor.vread({
      resourceType: 'DiagnosticReport',
      id: 'H001.AS-1',
      version: '1',
    })) as fhir4.DiagnosticReport;
    expect([report.status, report.meta!.source]).toEqual(['final', `urn:uuid:${stream[0]!.id}`]);
    expect(errorsOf(report)).toEqual([]);
    const missing = await call(hub, 'GET', `/fhir/Observation/${K_OBS}/_history/3`, KEYS.auditor);
    expect(missing.status).toBe(404);
  });

  it('refuses clearly: another role, an instant in the future or malformed, no patient', async () => {
    const ask = (query: string, key: string = KEYS.auditor) =>
      call<fhir4.OperationOutcome>(hub, 'GET', `/fhir/DiagnosticReport?${query}`, key);
    const past = encodeURIComponent(moments['linked']!);
    const platform = await ask(`patient=Patient/${R}&_at=${past}`, KEYS.platform);
    expect([platform.status, platform.body.issue[0]!.code, platform.body.issue[0]!.expression]).toEqual([
      403,
      'forbidden',
      ['_at'],
    ]);
    const h001 = await call<fhir4.OperationOutcome>(
      hub,
      'GET',
      `/fhir/Patient/${R}/$everything?_at=${past}`,
      KEYS.H001,
    );
    expect(h001.status).toBe(403);
    const tomorrow = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
    for (const [query, expression] of [
      [`patient=Patient/${R}&_at=${tomorrow}`, '_at'],
      [`patient=Patient/${R}&_at=yesterday`, '_at'],
      [`patient=Patient/${R}&_at=2026-12-01`, '_at'],
      [`_at=${past}`, 'patient'],
      [`patient=Patient/${R}&code=2823-3&_at=${past}`, 'code'],
    ] as const) {
      const res = await ask(query);
      expect([query, res.status, res.body.resourceType, res.body.issue[0]!.expression]).toEqual([
        query,
        400,
        'OperationOutcome',
        [expression],
      ]);
    }
  });

  it('records every as-of read in the access trail, the auditor as the agent', async () => {
    const trail = (await auditor.search({
      resourceType: 'AuditEvent',
      searchParams: {
        patient: `Patient/${R},Patient/${M1}`,
        agent: 'audit-office',
        outcome: '0',
        _count: '1000',
      },
    })) as fhir4.Bundle;
    const events = trail.entry!.map((e) => e.resource as fhir4.AuditEvent);
    const entities = events.flatMap((a) => a.entity?.map((e) => e.what?.reference) ?? []);
    expect(entities).toContain('DiagnosticReport/H001.AS-1');
    expect(entities).toContain(`Task/${REFERRAL}`);
    expect(events.some((a) => a.subtype?.some((s) => s.code === 'operation'))).toBe(true);
    const refused = (await auditor.search({
      resourceType: 'AuditEvent',
      searchParams: { agent: 'regional-platform', outcome: '4' },
    })) as fhir4.Bundle;
    expect(refused.entry?.length ?? 0).toBeGreaterThan(0);
  });
});
