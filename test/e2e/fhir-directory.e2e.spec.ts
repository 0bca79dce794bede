/**
 * A FHIR client follows what a result references: `subject` → `GET /fhir/Patient/<key>` (the
 * key, no demographics, `link`s to the person's other keys) and `performer` →
 * `GET /fhir/Organization/<code>` (a member institution, with its level from alliance
 * membership); `GET /fhir/Organization` searches by `_id`, `identifier`, `name`. With
 * fhir-kit-client over a real socket; every resource valid R4.
 */
import Client from 'fhir-kit-client';
import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { REFERRAL_FHIR } from '@yilian/referrals';
import { labReportBundle } from '@yilian/testing';
import { postFhir } from './hub-harness';
import {
  eventually,
  keyer,
  KEYS,
  type ReferralsHub,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

describe('FHIR directory: Patient read and Organization', () => {
  let hub: ReferralsHub;
  const patientKey = fhirPatientId(keyer.forMrn('H001', 'D-M1')); // its FHIR id, pk-…
  const fhir = (key: string = KEYS.platform) =>
    new Client({ baseUrl: `${hub.httpUrl}/fhir`, customHeaders: { Authorization: `Bearer ${key}` } });
  const errors = (r: fhir4.Resource) => validateFhirResource(r).filter((i) => i.severity === 'error');

  beforeAll(async () => {
    hub = await startReferralsHub('fhir_directory');
    await setUpAlliance(hub);
    const res = await postFhir(
      hub,
      '',
      labReportBundle({ accession: 'D-L1', mrn: { institution: 'H001', value: 'D-M1' } }),
    );
    expect(res.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('resolves a report’s subject and performer references', async () => {
    const report = await eventually(
      async () =>
        (await fhir().read({ resourceType: 'DiagnosticReport', id: 'H001.D-L1' })) as fhir4.DiagnosticReport,
      (r) => r.id === 'H001.D-L1',
    );
    expect(report.subject?.reference).toBe(`Patient/${patientKey}`);
    const [, patientId] = report.subject!.reference!.split('/');
    const patient = (await fhir().read({ resourceType: 'Patient', id: patientId! })) as fhir4.Patient;
    expect(patient).toMatchObject({ resourceType: 'Patient', id: patientKey, active: true });
    expect(errors(patient)).toEqual([]);
    const [, code] = report.performer![0]!.reference!.split('/');
    const org = (await fhir().read({ resourceType: 'Organization', id: code! })) as fhir4.Organization;
    expect(org).toMatchObject({
      id: 'H001',
      name: '第一人民医院',
      identifier: [{ system: REFERRAL_FHIR.institutionSystem, value: 'H001' }],
    });
    expect(org.type?.[0]?.coding?.[0]?.code).toBe('tertiary');
    expect(errors(org)).toEqual([]);
  });

  it('searches with _summary=count (the total alone) and _include=DiagnosticReport:result; _total checked', async () => {
    const count = (await fhir().search({
      resourceType: 'Observation',
      searchParams: { patient: `Patient/${patientKey}`, _summary: 'count' },
    })) as fhir4.Bundle;
    expect([count.type, count.total, count.entry]).toEqual(['searchset', 3, undefined]);
    expect(errors(count)).toEqual([]);
    const withResults = (await fhir().search({
      resourceType: 'DiagnosticReport',
      searchParams: {
        patient: `Patient/${patientKey}`,
        _include: 'DiagnosticReport:result',
        _total: 'accurate',
      },
    })) as fhir4.Bundle;
    expect(withResults.entry!.map((e) => [e.resource!.resourceType, e.search!.mode])).toEqual([
      ['DiagnosticReport', 'match'],
      ['Observation', 'include'],
      ['Observation', 'include'],
      ['Observation', 'include'],
    ]);
    const bad = await fetch(`${hub.httpUrl}/fhir/Observation?_total=lots`, {
      headers: { Authorization: `Bearer ${KEYS.platform}` },
    });
    expect(bad.status).toBe(400);
  });

  it('searches Organizations by _id, identifier and name', async () => {
    const ids = async (searchParams: Record<string, string>) =>
      (
        ((await fhir().search({ resourceType: 'Organization', searchParams })) as fhir4.Bundle).entry ?? []
      ).map((e) => e.resource!.id);
    expect(await ids({})).toEqual(['C002', 'H001', 'X003']);
    expect(await ids({ _id: 'C002,X003' })).toEqual(['C002', 'X003']);
    expect(await ids({ identifier: `${REFERRAL_FHIR.institutionSystem}|H001` })).toEqual(['H001']);
    expect(await ids({ identifier: 'urn:other|H001' })).toEqual([]);
    expect(await ids({ name: '社区' })).toEqual(['C002']);
  });

  it('a Patient read is the patients’ rules: 403 to an institution with no part, 404 for a key the hub never saw; $export is still the export', async () => {
    const refused = await fetch(`${hub.httpUrl}/fhir/Patient/${patientKey}`, {
      headers: { Authorization: `Bearer ${KEYS.X003}` },
    });
    expect(refused.status).toBe(403);
    const own = await fetch(`${hub.httpUrl}/fhir/Patient/${patientKey}`, {
      headers: { Authorization: `Bearer ${KEYS.H001}` },
    });
    expect(own.status).toBe(200);
    const unknown = await fetch(`${hub.httpUrl}/fhir/Patient/${keyer.forMrn('H001', 'never-sent')}`, {
      headers: { Authorization: `Bearer ${KEYS.platform}` },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
    const kickOff = await fetch(`${hub.httpUrl}/fhir/Patient/$export`, {
      headers: {
        Authorization: `Bearer ${KEYS.platform}`,
        prefer: 'respond-async',
        accept: 'application/fhir+json',
      },
    });
    expect(kickOff.status).toBe(202);
  });
});
