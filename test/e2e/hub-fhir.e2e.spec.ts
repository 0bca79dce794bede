import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { PatientKeyer } from '@yilian/patients';
import { labReportBundle, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { eventually, KEYS, PATIENT_KEY_SECRET, platformClient, postFhir, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
/** The FHIR Patient id of the key (`pk-…`): what the answers carry. */
const patientKey = fhirPatientId(new PatientKeyer(PATIENT_KEY_SECRET).forResidentId(SAMPLE_RESIDENT_ID));

describe('hub: a lab report sent as FHIR R4 reaches the platform', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub('hub_fhir');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const searchReports = async () =>
    (await platformClient(hub).search({
      resourceType: 'DiagnosticReport',
      searchParams: { patient: `Patient/${patientKey}` },
    })) as fhir4.Bundle;

  it('answers 201 with Location, and the platform finds report and observations with fhir-kit-client', async () => {
    const res = await postFhir(
      hub,
      '',
      labReportBundle({ accession: 'A-1001', residentId: SAMPLE_RESIDENT_ID }),
    );
    expect(res.status).toBe(201);
    expect(res.location).toBe('DiagnosticReport/H001.A-1001/_history/1');
    const response = res.body as fhir4.Bundle;
    expect(response.type).toBe('transaction-response');
    expect(response.entry!.map((e) => e.response!.location)).toEqual([
      `Patient/${patientKey}`,
      'DiagnosticReport/H001.A-1001/_history/1',
      'Observation/H001.A-1001.o1/_history/1',
      'Observation/H001.A-1001.o2/_history/1',
      'Observation/H001.A-1001.o3/_history/1',
    ]);

    const bundle = await eventually(searchReports, (b) => (b.total ?? 0) >= 1);
    expect(bundle.type).toBe('searchset');
    expect(bundle.total).toBe(1);
    const report = bundle.entry![0]!.resource as fhir4.DiagnosticReport;
    expect(report.id).toBe('H001.A-1001');
    expect(report.subject?.reference).toBe(`Patient/${patientKey}`);
    expect(report.performer?.[0]?.reference).toBe('Organization/H001');
    expect(report.result).toEqual([1, 2, 3].map((i) => ({ reference: `Observation/H001.A-1001.o${i}` })));
    expect(JSON.stringify(report)).not.toContain(SAMPLE_RESIDENT_ID);

    const obs = (await platformClient(hub).search({
      resourceType: 'Observation',
      searchParams: { patient: `Patient/${patientKey}`, code: 'http://loinc.org|2823-3' },
    })) as fhir4.Bundle;
    expect(obs.total).toBe(1);
    const potassium = obs.entry![0]!.resource as fhir4.Observation;
    expect(potassium.valueQuantity).toEqual(expect.objectContaining({ value: 4.1, unit: 'mmol/L' }));
  });

  it('records the same report sent twice once, and answers the resend with the same location', async () => {
    const bundle = labReportBundle({ accession: 'A-1002', residentId: SAMPLE_RESIDENT_ID });
    const first = await postFhir(hub, '', bundle);
    const again = await postFhir(hub, '', bundle);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.location).toBe(first.location);
    const events = await hub.store.readStream('labreport-H001-A-1002');
    expect(events).toHaveLength(1);
  });

  it('keeps a corrected version readable in _history', async () => {
    await postFhir(hub, '', labReportBundle({ accession: 'A-1003', residentId: SAMPLE_RESIDENT_ID }));
    const corrected = await postFhir(
      hub,
      '',
      labReportBundle({
        accession: 'A-1003',
        residentId: SAMPLE_RESIDENT_ID,
        status: 'corrected',
        potassium: 3.2,
      }),
    );
    expect(corrected.status).toBe(201);
    expect(corrected.location).toBe('DiagnosticReport/H001.A-1003/_history/2');
    const history = await eventually(
      async () =>
        (await platformClient(hub).history({
          resourceType: 'DiagnosticReport',
          id: 'H001.A-1003',
        })) as fhir4.Bundle,
      (b) => (b.total ?? 0) >= 2,
    );
    expect(history.entry!.map((e) => (e.resource as fhir4.DiagnosticReport).status)).toEqual([
      'corrected',
      'final',
    ]);
  });

  it('rejects an invalid report with an OperationOutcome naming the path, and appends nothing', async () => {
    const bundle = labReportBundle({ accession: 'A-BAD', residentId: SAMPLE_RESIDENT_ID });
    (bundle.entry![1]!.resource as { status?: string }).status = 'done';
    const res = await postFhir(hub, '', bundle);
    expect([400, 422]).toContain(res.status);
    const outcome = res.body as fhir4.OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.some((i) => i.expression?.some((p) => p.includes('status')))).toBe(true);
    expect(await hub.store.readStream('labreport-H001-A-BAD')).toHaveLength(0);
  });

  it('rejects a resident ID number with a wrong check character, naming the identifier', async () => {
    const res = await postFhir(
      hub,
      '',
      labReportBundle({ accession: 'A-BADID', residentId: '110105194912310021' }),
    );
    expect(res.status).toBe(400);
    const outcome = res.body as fhir4.OperationOutcome;
    expect(outcome.issue[0]!.expression).toEqual(['Bundle.entry[0].resource.identifier[0].value']);
    expect(JSON.stringify(outcome)).not.toContain('110105194912310021');
    expect(await hub.store.readStream('labreport-H001-A-BADID')).toHaveLength(0);
  });

  it('refuses a caller without a valid API key, and malformed JSON, with an OperationOutcome', async () => {
    const noKey = await postFhir(
      hub,
      '',
      labReportBundle({ accession: 'A-NOKEY', residentId: SAMPLE_RESIDENT_ID }),
      'nope',
    );
    expect(noKey.status).toBe(401);
    expect(noKey.body.resourceType).toBe('OperationOutcome');
    const garbage = await postFhir(hub, '', '{"resourceType": "Bundle", ', KEYS.H001);
    expect(garbage.status).toBe(400);
    expect(garbage.body.resourceType).toBe('OperationOutcome');
    const res = await fetch(`${hub.httpUrl}/fhir/DiagnosticReport?patient=Patient/${patientKey}`);
    expect(res.status).toBe(401);
    const unknown = await fetch(`${hub.httpUrl}/fhir/Medication?patient=Patient/${patientKey}`, {
      headers: { authorization: `Bearer ${KEYS.platform}` },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as fhir4.OperationOutcome).resourceType).toBe('OperationOutcome');
  });
});

describe('hub: the platform finds a patient key without putting the identifier in a URL', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub('hub_patient_search');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const postSearch = (body: string, query = '') =>
    fetch(`${hub.httpUrl}/fhir/Patient/_search${query}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${KEYS.platform}`,
      },
      body,
    });

  it('answers POST /fhir/Patient/_search with the patient key as the Patient id, not echoing the number', async () => {
    const res = await postSearch(
      `identifier=${encodeURIComponent(`urn:oid:2.16.156.10011.1.3|${SAMPLE_RESIDENT_ID}`)}`,
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SAMPLE_RESIDENT_ID);
    const bundle = JSON.parse(text) as fhir4.Bundle;
    expect(bundle.entry![0]!.resource!.id).toBe(patientKey);
  });

  it('refuses the identifier in the URL and an invalid ID number, with OperationOutcomes', async () => {
    const inUrl = await postSearch('', `?identifier=urn:oid:2.16.156.10011.1.3|${SAMPLE_RESIDENT_ID}`);
    expect(inUrl.status).toBe(400);
    const bad = await postSearch(
      `identifier=${encodeURIComponent('urn:oid:2.16.156.10011.1.3|110105194912310021')}`,
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as fhir4.OperationOutcome).issue[0]!.expression).toEqual(['identifier']);
  });

  it('takes every write at /fhir and tells a sender what it does not take', async () => {
    const unsupported = await postFhir(hub, '/Medication', { resourceType: 'Medication' });
    expect(unsupported.status).toBe(404);
    const outcome = unsupported.body as fhir4.OperationOutcome;
    expect(outcome.issue[0]!.code).toBe('not-supported');
    expect(outcome.issue[0]!.diagnostics).toMatch(
      /DiagnosticReport, ImagingStudy, ServiceRequest and Patient/,
    );
    const put = await fetch(`${hub.httpUrl}/fhir/DiagnosticReport/H001.A-1001`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${KEYS.H001}` },
      body: JSON.stringify({ resourceType: 'DiagnosticReport' }),
    });
    expect(put.status).toBe(404);
    // no slice's own paths behind the door: /fhir is the only one
    const inner = await fetch(`${hub.httpUrl}/imaging-fhir/transaction`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${KEYS.H001}` },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] }),
    });
    expect(inner.status).toBe(404);
    // the key first, whatever the slice
    expect(
      (await postFhir(hub, '/ServiceRequest', { resourceType: 'ServiceRequest' }, 'no-such-key')).status,
    ).toBe(401);
  });

  it("keeps a sender's X-Correlation-Id on the event when it is a token, and only then", async () => {
    const send = (accession: string, correlation: string) =>
      fetch(`${hub.httpUrl}/fhir`, {
        method: 'POST',
        headers: {
          'content-type': 'application/fhir+json',
          authorization: `Bearer ${KEYS.H001}`,
          'x-correlation-id': correlation,
        },
        body: JSON.stringify(labReportBundle({ accession, residentId: SAMPLE_RESIDENT_ID })),
      });
    expect((await send('A-CORR-1', 'lis-run:2026.12.04-0001')).status).toBe(201);
    expect((await send('A-CORR-2', 'not a token; drop table')).status).toBe(201);
    const [kept] = await hub.store.readStream('labreport-H001-A-CORR-1');
    const [dropped] = await hub.store.readStream('labreport-H001-A-CORR-2');
    expect(kept!.metadata.correlationId).toBe('lis-run:2026.12.04-0001');
    expect(dropped!.metadata.correlationId).not.toContain('drop');
  });
});
