/**
 * FHIR Bulk Data Access v2.0.0 $export end to end, driven by a client written from the IG
 * (bulk-data-client.ts): the hub on real PostgreSQL, lab results sent as HL7 v2 ORU^R01 over
 * MLLP by H001 for two patients, then system- and Patient-level exports by GET and by POST
 * (Parameters), the manifest against the IG's schema, every NDJSON file downloaded and parsed,
 * DELETE, and the kick-off's refusals as OperationOutcomes.
 */
import { Pool } from 'pg';
import { fhirPatientId } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { BulkDataClient, BulkError, type Manifest } from './bulk-data-client';
import { eventually, KEYS, PATIENT_KEY_SECRET, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/** Another person's resident ID number (valid GB 11643 check digit). */
const OTHER_RESIDENT_ID = '440304198001011239';
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
const patientKey = keyer.forResidentId(SAMPLE_RESIDENT_ID);
const otherKey = keyer.forResidentId(OTHER_RESIDENT_ID);

describe('Bulk Data $export per the IG (HL7 v2 results in, NDJSON out, real PostgreSQL)', () => {
  let hub: Hub;
  let pool: Pool;
  let fhir: string;
  const platform = () => new BulkDataClient(fhir, KEYS.platform);
  const reportsOf = async (key?: string) =>
    (
      await pool.query<{ id: string }>(
        `SELECT id FROM rm_lab_reports ${key ? 'WHERE patient_key = $1' : ''} ORDER BY id`,
        key ? [key] : [],
      )
    ).rows.map((r) => r.id);

  beforeAll(async () => {
    hub = await startTestHub('bulk_data');
    fhir = `${hub.httpUrl}/fhir`;
    pool = new Pool({ connectionString: hub.databaseUrl, max: 2 });
    const send = async (message: string) => {
      const mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
      try {
        expect((await mllp.send(message)).includes('MSA|AA')).toBe(true);
      } finally {
        await mllp.close();
      }
    };
    await send(
      oruR01({ controlId: 'BULK-1', accession: 'BULK-A-1', residentId: SAMPLE_RESIDENT_ID, count: 3 }),
    );
    await send(
      // another person: another ID number and another name
      oruR01({ controlId: 'BULK-2', accession: 'BULK-B-1', residentId: OTHER_RESIDENT_ID, count: 2 })
        .replace('王^小明', '赵^一')
        .replace('||19491231|M|', '||19800101|M|'),
    );
    await eventually(
      () => reportsOf(),
      (ids) => ids.length >= 2,
    );
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await hub?.stop();
  });

  async function exportOf(path: string, opts: Parameters<BulkDataClient['kickOff']>[1] = {}) {
    const client = platform();
    const status = await client.kickOff(path, opts);
    const manifest = await client.poll(status);
    return { client, status, manifest, files: await client.downloadAll(manifest) };
  }

  it('system kick-off → 202 → manifest per the schema → every file parsed → DELETE → 404', async () => {
    const { client, status, manifest, files } = await exportOf('$export');
    expect(status).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bulk\/jobs\/[0-9a-f-]{36}$/);
    expect(manifest.request).toBe(`${fhir}/$export`);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.error).toEqual([]);
    expect(Math.abs(Date.parse(manifest.transactionTime) - Date.now())).toBeLessThan(60_000);
    expect((files.get('DiagnosticReport') ?? []).map((r) => r['id']).sort()).toEqual(await reportsOf());
    expect((files.get('Patient') ?? []).map((r) => r['id']).sort()).toEqual(
      [patientKey, otherKey].map(fhirPatientId).sort(),
    );
    expect(files.get('Observation')?.length).toBe(5);
    // the files need the token, as requiresAccessToken said
    const anonymous = await fetch(manifest.output[0]!.url);
    expect(anonymous.status).toBe(401);
    expect(await client.delete(status)).toBe(202);
    expect(await client.statusCode(status)).toBe(404);
    expect(
      (await fetch(manifest.output[0]!.url, { headers: { authorization: `Bearer ${KEYS.platform}` } }))
        .status,
    ).toBe(404);
  });

  it('POST kick-off with a Parameters resource at Patient level: _type and patient narrow the export', async () => {
    const { manifest, files } = await exportOf('Patient/$export', {
      post: true,
      params: { _type: 'DiagnosticReport,Patient', patient: `Patient/${patientKey}` },
    });
    expect(manifest.request).toBe(`${fhir}/Patient/$export`);
    expect([...files.keys()].sort()).toEqual(['DiagnosticReport', 'Patient']);
    expect(
      files
        .get('DiagnosticReport')!
        .map((r) => r['id'])
        .sort(),
    ).toEqual(await reportsOf(patientKey));
    expect(files.get('Patient')!.map((r) => r['id'])).toEqual([fhirPatientId(patientKey)]);
  });

  it('_since: only what changed after it (a future instant → an empty output array)', async () => {
    const { manifest } = await exportOf('$export', { params: { _since: '2099-01-01T00:00:00Z' } });
    expect(manifest.output).toEqual([]);
    const past = await exportOf('$export', {
      params: { _since: '2000-01-01T00:00:00+08:00', _type: 'DiagnosticReport' },
    });
    expect(past.files.get('DiagnosticReport')?.length).toBe((await reportsOf()).length);
  });

  it('status while running: 202 with X-Progress and Retry-After, which the client waits for', async () => {
    const client = platform();
    const status = await client.kickOff('$export');
    const first = await fetch(status, { headers: { authorization: `Bearer ${KEYS.platform}` } });
    if (first.status === 202) {
      expect(first.headers.get('x-progress')).toMatch(/types/);
      expect(first.headers.get('retry-after')).toMatch(/^\d+$/);
    } else expect(first.status).toBe(200);
    await client.poll(status);
    expect(client.waits.every((s) => s > 0)).toBe(true);
  });

  it('a finished manifest says until when it and its files stay (Expires)', async () => {
    const client = platform();
    const status = await client.kickOff('$export', { params: { _type: 'Patient' } });
    await client.poll(status);
    const res = await fetch(status, { headers: { authorization: `Bearer ${KEYS.platform}` } });
    const expires = Date.parse(res.headers.get('expires') ?? '');
    expect(expires - Date.now()).toBeGreaterThan(30 * 60_000);
  });

  /** The kick-off's refusal: status, issue code and the OperationOutcome's diagnostics. */
  async function refusal(path: string, opts: Parameters<BulkDataClient['kickOff']>[1]) {
    try {
      await platform().kickOff(path, opts);
    } catch (e) {
      if (e instanceof BulkError) return [e.status, e.outcome.issue[0]!.code];
      throw e;
    }
    return [202];
  }

  it('unsupported parameters: 400 not-supported; with Prefer handling=lenient ignored and named in the manifest error array', async () => {
    expect(await refusal('$export', { params: { _typeFilter: 'DiagnosticReport?status=final' } })).toEqual([
      400,
      'not-supported',
    ]);
    expect(await refusal('$export', { params: { _elements: 'id' } })).toEqual([400, 'not-supported']);
    expect(await refusal('$export', { params: { patient: `Patient/${patientKey}` }, post: true })).toEqual([
      400,
      'not-supported',
    ]);
    expect(await refusal('$export', { params: { _outputFormat: 'text/csv' } })).toEqual([
      400,
      'not-supported',
    ]);
    expect(await refusal('$export', { params: { _type: 'Medication' } })).toEqual([400, 'not-supported']);
    expect(await refusal('$export', { params: { _since: 'yesterday' } })).toEqual([400, 'invalid']);
    expect(await refusal('$export', { params: { foo: 'bar' }, prefer: 'handling=strict' })).toEqual([
      400,
      'not-supported',
    ]);
    const { client, manifest } = await exportOf('$export', {
      params: { _typeFilter: 'DiagnosticReport?status=final', _type: 'Patient' },
      prefer: 'handling=lenient',
    });
    expect(manifest.error).toHaveLength(1);
    const [outcome] = await client.download(manifest, manifest.error[0]!);
    expect(outcome).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning', code: 'not-supported', expression: ['_typeFilter'] }],
    });
  });

  it('kick-off headers: Prefer respond-async required (400), Accept other than FHIR JSON 400, no Accept taken as FHIR JSON', async () => {
    const auth = { authorization: `Bearer ${KEYS.platform}` };
    const noPrefer = await fetch(`${fhir}/$export`, {
      headers: { ...auth, accept: 'application/fhir+json' },
    });
    expect(noPrefer.status).toBe(400);
    expect(((await noPrefer.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    const xml = await fetch(`${fhir}/$export`, {
      headers: { ...auth, accept: 'application/fhir+xml', prefer: 'respond-async' },
    });
    expect(xml.status).toBe(400);
    const noAccept = await fetch(`${fhir}/$export?_type=Patient`, {
      headers: { ...auth, prefer: 'respond-async' },
    });
    expect(noAccept.status).toBe(202);
    await platform().poll(noAccept.headers.get('content-location')!);
    const notParameters = await fetch(`${fhir}/$export`, {
      method: 'POST',
      headers: { ...auth, prefer: 'respond-async', 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(notParameters.status).toBe(400);
  });

  it('another client cannot see the job (404), and an institution exports only its patients', async () => {
    const client = platform();
    const status = await client.kickOff('$export', { params: { _type: 'DiagnosticReport' } });
    await client.poll(status);
    expect(await new BulkDataClient(fhir, KEYS.C002).statusCode(status)).toBe(404);
    const c002 = new BulkDataClient(fhir, KEYS.C002);
    const manifest: Manifest = await c002.poll(
      await c002.kickOff('$export', { params: { _type: 'DiagnosticReport' } }),
    );
    expect(manifest.output).toEqual([]); // C002 has no part in these patients' care
  });
  it('Group/[id]/$export: the hub keeps no Groups, so 404 with an OperationOutcome (GET and POST)', async () => {
    expect(await refusal('Group/alliance/$export', {})).toEqual([404, 'not-found']);
    expect(await refusal('Group/alliance/$export', { post: true })).toEqual([404, 'not-found']);
  });
});
