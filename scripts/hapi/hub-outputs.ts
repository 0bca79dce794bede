/**
 * Feeds a real embedded hub with real content — the HL7 v2 fixtures (lab ORU, imaging ORU / MDM,
 * orders, a REF^I12 referral), FHIR writes (transaction Bundles, the official R4 ImagingStudy
 * example, Patient demographics, a referral Bundle and its Task steps, a recognition decision),
 * the WS/T 500 CDA fixtures and the demo's alliance and recognition rules — then reads back every
 * FHIR resource the hub serves (reads, searchsets, `_history`, `$everything`, `_at`, AuditEvent,
 * the CapabilityStatement, conformance resources, `$recognisable`, Bulk Data NDJSON, intake
 * answers and OperationOutcome errors) and writes each body, as served, into a directory for
 * the HAPI validator (scripts/hapi/validate-hub.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Client from 'fhir-kit-client';
import { Pool } from 'pg';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { labReportBundle, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { seedDemoOnce, type DemoInstitution } from '../../apps/hub/src/demo/demo-seed';
import { refI12 } from '../../libs/hl7v2/test/referrals/ref-i12.fixtures';
import {
  call,
  KEYS,
  OPERATOR_KEY,
  patientWithResidentId,
  referralBundle,
  type ReferralsHub,
  serviceRequest,
  setUpAlliance,
  startReferralsHub,
  task,
} from '../../test/e2e/referrals-harness';

const ROOT = join(__dirname, '..', '..');
const HL7_DIR = join(ROOT, 'libs', 'hl7v2', 'test', 'fixtures');
const CDA_DIR = join(ROOT, 'libs', 'cda', 'test', 'fixtures');
const FHIR_DIR = join(ROOT, 'libs', 'fhir', 'test', 'fixtures');

const DEMO_KEYS = {
  DEMOH1: 'key-demoh1-0123456789abcdef',
  DEMOS1: 'key-demos1-0123456789abcdef',
  DEMO01: 'key-demo01-0123456789abcdef',
} as const;
const DEMO: DemoInstitution[] = [
  { code: 'DEMOH1', name: '示范三级医院', apiKey: DEMO_KEYS.DEMOH1, level: 'tertiary', role: 'lead' },
  { code: 'DEMOS1', name: '示范二级医院', apiKey: DEMO_KEYS.DEMOS1, level: 'secondary', role: 'member' },
  {
    code: 'DEMO01',
    name: '示范社区卫生服务中心',
    apiKey: DEMO_KEYS.DEMO01,
    level: 'primary',
    role: 'member',
  },
];
const RECOGNITION_DECISION = 'https://fhir.yilian.cn/CodeSystem/recognition-decision';

export interface Collected {
  readonly dir: string;
  /** Files written, by what was asked (`GET /fhir/DiagnosticReport?patient=…`, …). */
  readonly files: readonly { file: string; what: string; status: number }[];
  /** What went in and how the hub answered (ACK codes, statuses), for the report. */
  readonly fed: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the hub on `databaseUrl`, feeds it, reads everything back into `dir`, stops it. */
export async function collectHubOutputs(databaseUrl: string, dir: string): Promise<Collected> {
  mkdirSync(dir, { recursive: true });
  const hub = await startReferralsHub('hapi', databaseUrl, {
    institutions: new InstitutionDirectory([
      { code: 'H001', name: '第一人民医院', apiKeySha256: hashApiKey(KEYS.H001), mllpPort: 1 },
      { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEYS.C002), mllpPort: 2 },
      { code: 'X003', name: '外区第三医院', apiKeySha256: hashApiKey(KEYS.X003), mllpPort: 3 },
      ...DEMO.map((d, i) => ({
        code: d.code,
        name: d.name,
        apiKeySha256: hashApiKey(d.apiKey),
        mllpPort: 10 + i,
      })),
    ]),
  });
  try {
    const fed = await feed(hub, dir);
    const files = await readBack(hub, databaseUrl, dir);
    return { dir, files: [...fed.files, ...files], fed: fed.counts };
  } finally {
    await hub.stop();
  }
}

class Sink {
  readonly files: { file: string; what: string; status: number }[] = [];
  private n = 0;
  constructor(private readonly dir: string) {}

  /** Writes a FHIR body as served (JSON with a resourceType only); returns it parsed. */
  put(what: string, status: number, text: string, ext = 'json'): unknown {
    let parsed: unknown;
    try {
      parsed = ext === 'json' ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
    if (ext === 'json' && (typeof parsed !== 'object' || parsed === null || !('resourceType' in parsed)))
      return parsed;
    const type = ext === 'json' ? String((parsed as { resourceType: string }).resourceType) : 'ndjson';
    const safe = what.replace(/[^A-Za-z0-9$_.-]+/g, '_').slice(0, 80);
    const file = `${String(++this.n).padStart(4, '0')}-${type}-${safe}.${ext}`;
    writeFileSync(join(this.dir, file), text);
    this.files.push({ file, what, status });
    return parsed;
  }
}

async function feed(
  hub: ReferralsHub,
  dir: string,
): Promise<{ files: Sink['files']; counts: Record<string, number> }> {
  const sink = new Sink(dir);
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const raw = async (method: string, path: string, key: string, body?: string, type?: string) => {
    const res = await fetch(`${hub.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(type ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  /** A FHIR write whose answer (resource, transaction-response, OperationOutcome) is kept. */
  const write = async (what: string, method: string, path: string, key: string, body: unknown) => {
    const res = await raw(method, path, key, JSON.stringify(body), 'application/fhir+json');
    count(`${method} ${path.split('?')[0]!.replace(/\/[^/]*\d[^/]*$/, '/<id>')} → ${res.status}`);
    return { ...res, body: sink.put(`${what} → ${res.status}`, res.status, res.text) };
  };
  const hl7 = async (key: string, message: string) => {
    const res = await raw('POST', '/hl7v2', key, message, 'application/hl7-v2');
    const msa = /\rMSA\|([A-Z]{2})/.exec(res.text)?.[1] ?? `HTTP ${res.status}`;
    const type = /^MSH\|[^|]*\|(?:[^|]*\|){6}([^|^]*\^[^|^]*)/.exec(message)?.[1] ?? '?';
    count(`HL7 ${type} ${msa}`);
  };
  const fixture = (path: string) => readFileSync(path, 'utf8').replace(/\r?\n/g, '\r');
  const hl7In = (sub: string) =>
    readdirSync(join(HL7_DIR, sub))
      .filter((f) => f.endsWith('.hl7'))
      .sort()
      .map((f) => fixture(join(HL7_DIR, sub, f)));

  // the demo: an alliance of three levels, lab results, a chest CT, a referral accepted, the
  // sample recognition rules
  const demoDir = join(dir, '..', 'demo');
  mkdirSync(demoDir, { recursive: true });
  await seedDemoOnce({
    dataDir: demoDir,
    httpUrl: hub.httpUrl,
    operatorKey: OPERATOR_KEY,
    institutions: DEMO,
    now: new Date(),
    firstStart: true,
  });
  count('demo seed');
  await setUpAlliance(hub);

  // HL7 v2: lab ORU (H001), imaging ORU / MDM and imaging orders (C002), orders (H001), REF^I12
  for (const m of hl7In('.')) await hl7(KEYS.H001, m);
  for (const m of hl7In('imaging')) await hl7(KEYS.C002, m);
  for (const m of hl7In('orders')) await hl7(KEYS.H001, m);
  await hl7(
    KEYS.C002,
    refI12({ controlId: 'HAPI-REF-1', sourceId: 'HAPI-REF-1', residentId: SAMPLE_RESIDENT_ID }),
  );

  // FHIR writes: transaction Bundles, contained DiagnosticReport, the R4 ImagingStudy example
  await write(
    'POST /fhir lab bundle',
    'POST',
    '/fhir',
    KEYS.H001,
    labReportBundle({ accession: 'HAPI-1', residentId: SAMPLE_RESIDENT_ID }),
  );
  await write(
    'POST /fhir lab bundle corrected',
    'POST',
    '/fhir',
    KEYS.H001,
    labReportBundle({
      accession: 'HAPI-1',
      residentId: SAMPLE_RESIDENT_ID,
      status: 'corrected',
      potassium: 5.6,
    }),
  );
  await write(
    'POST /fhir lab bundle C002',
    'POST',
    '/fhir',
    KEYS.C002,
    labReportBundle({ accession: 'HAPI-2', institution: 'C002', residentId: SAMPLE_RESIDENT_ID }),
  );
  for (const name of ['lab/cbc-transaction.json', 'lab/cbc-contained.json']) {
    // the fixtures are H0001's; sent here as H001, in its namespaces
    const body = JSON.parse(
      readFileSync(join(FHIR_DIR, name), 'utf8').replaceAll('H0001', 'H001'),
    ) as fhir4.Resource;
    const path = body.resourceType === 'Bundle' ? '/fhir' : `/fhir/${body.resourceType}`;
    await write(`POST ${name}`, 'POST', path, KEYS.H001, body);
  }
  const example = JSON.parse(
    readFileSync(join(FHIR_DIR, 'r4', 'imagingstudy-example.json'), 'utf8'),
  ) as fhir4.ImagingStudy;
  await write('POST ImagingStudy example', 'POST', '/fhir/ImagingStudy', KEYS.C002, example);
  await write('POST Patient demographics', 'POST', '/fhir/Patient', KEYS.H001, {
    resourceType: 'Patient',
    identifier: [
      { system: 'urn:oid:2.16.156.10011.1.3', value: SAMPLE_RESIDENT_ID },
      { system: 'urn:yilian:institution:H001:mrn', value: 'HAPI-MRN-1' },
    ],
    name: [{ text: '王小明' }],
    gender: 'male',
    birthDate: '1949-12-31',
  });

  // a referral as FHIR: the Bundle, then the receiver's Task steps
  const sr = serviceRequest({
    number: 'HAPI-REF-2',
    sender: 'C002',
    receiver: 'H001',
    subject: { reference: 'Patient/x' },
  });
  const created = await write(
    'POST /fhir referral bundle',
    'POST',
    '/fhir',
    KEYS.C002,
    referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
  );
  const referralId = referralIdOf(created.body);
  if (referralId) {
    await write(
      'PUT Task accepted',
      'PUT',
      `/fhir/Task/${referralId}`,
      KEYS.H001,
      task(referralId, 'accepted'),
    );
    await write(
      'PUT Task in-progress',
      'PUT',
      `/fhir/Task/${referralId}`,
      KEYS.H001,
      task(referralId, 'in-progress'),
    );
  }

  // CDA: each fixture from its institution
  for (const f of readdirSync(CDA_DIR)
    .filter((n) => n.endsWith('.xml'))
    .sort()) {
    const key = f.includes('biochemistry') || f.includes('ultrasound') ? KEYS.H001 : KEYS.C002;
    const res = await raw(
      'POST',
      '/cda',
      key,
      readFileSync(join(CDA_DIR, f), 'utf8'),
      'application/hl7-cda+xml',
    );
    count(`POST /cda → ${res.status}`);
    sink.put(`POST /cda ${f} → ${res.status}`, res.status, res.text);
  }

  // errors the intake answers with an OperationOutcome
  await write('POST /fhir empty transaction', 'POST', '/fhir', KEYS.H001, {
    resourceType: 'Bundle',
    type: 'transaction',
  });
  await write('POST DiagnosticReport invalid', 'POST', '/fhir/DiagnosticReport', KEYS.H001, {
    resourceType: 'DiagnosticReport',
    status: 'bogus',
  });
  await write('POST Patient no key', 'POST', '/fhir/Patient', 'no-such-key', { resourceType: 'Patient' });

  await sleep(3_000); // the in-process projector catches up
  return { files: sink.files, counts };
}

function referralIdOf(body: unknown): string | undefined {
  const b = body as fhir4.Bundle | undefined;
  for (const e of b?.entry ?? []) {
    const m = /^ServiceRequest\/([^/]+)/.exec(e.response?.location ?? '');
    if (m) return m[1];
  }
  return undefined;
}

async function patientKeys(databaseUrl: string): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const tables = await pool.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns
        WHERE column_name = 'patient_key' AND table_schema = current_schema() AND table_name LIKE 'rm\\_%'`,
    );
    const keys = new Set<string>();
    for (const { table_name } of tables.rows) {
      const r = await pool.query<{ k: string }>(
        `SELECT DISTINCT patient_key AS k FROM "${table_name}" WHERE patient_key IS NOT NULL`,
      );
      for (const row of r.rows) keys.add(row.k);
    }
    return [...keys].sort();
  } finally {
    await pool.end();
  }
}

async function readBack(hub: ReferralsHub, databaseUrl: string, dir: string): Promise<Sink['files']> {
  const sink = new Sink(dir);
  const get = async (
    what: string,
    path: string,
    key: string | undefined,
    accept = 'application/fhir+json',
  ) => {
    const res = await fetch(`${hub.httpUrl}${path}`, {
      headers: { accept, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
    const text = await res.text();
    return { status: res.status, text, body: sink.put(`${what} → ${res.status}`, res.status, text) };
  };
  // fhir-kit-client for the platform reads, as a regional platform would; its errors keep the body
  const platform = new Client({
    baseUrl: `${hub.httpUrl}/fhir`,
    customHeaders: { Authorization: `Bearer ${KEYS.platform}` },
  });
  const auditor = new Client({
    baseUrl: `${hub.httpUrl}/fhir`,
    customHeaders: { Authorization: `Bearer ${KEYS.auditor}` },
  });
  const kit = async (what: string, run: () => Promise<unknown>): Promise<unknown> => {
    try {
      const body = await run();
      return sink.put(`${what} → 200`, 200, JSON.stringify(body));
    } catch (e) {
      const response = (e as { response?: { status: number; data: unknown } }).response;
      if (!response) throw e;
      sink.put(`${what} → ${response.status}`, response.status, JSON.stringify(response.data));
      return undefined;
    }
  };

  await kit('metadata', () => platform.capabilityStatement());
  // asked by their FHIR ids (`pk-…`), as a client that read them from an answer would
  const keys = (await patientKeys(databaseUrl)).map(fhirPatientId);
  const seen = new Map<string, Set<string>>(); // type -> ids
  const note = (b: unknown) => {
    for (const e of (b as fhir4.Bundle | undefined)?.entry ?? []) {
      const r = e.resource;
      if (r?.id)
        (seen.get(r.resourceType) ?? seen.set(r.resourceType, new Set()).get(r.resourceType)!).add(r.id);
    }
  };
  const types = ['DiagnosticReport', 'Observation', 'ImagingStudy', 'ServiceRequest', 'Task'] as const;
  for (const key of keys) {
    for (const type of types)
      note(
        await kit(`search ${type} patient`, () =>
          platform.search({ resourceType: type, searchParams: { patient: `Patient/${key}` } }),
        ),
      );
    note(await kit('$everything', () => platform.request(`Patient/${key}/$everything`)));
    await kit('Patient _history', () => platform.request(`Patient/${key}/_history`));
    await kit('Patient read', () => platform.read({ resourceType: 'Patient', id: key }));
    const now = new Date().toISOString();
    for (const type of ['DiagnosticReport', 'ImagingStudy', 'ServiceRequest'])
      await kit(`search ${type} _at`, () =>
        auditor.search({ resourceType: type, searchParams: { patient: `Patient/${key}`, _at: now } }),
      );
    await kit('$everything _at', () =>
      auditor.request(`Patient/${key}/$everything?_at=${encodeURIComponent(now)}`),
    );
    await kit('$recognisable', () => platform.request(`Patient/${key}/$recognisable?requester=DEMOH1`));
    await kit('$recognisable H001', () => platform.request(`Patient/${key}/$recognisable?requester=H001`));
  }
  await kit('Patient _search', async () => {
    const res = await fetch(`${hub.httpUrl}/fhir/Patient/_search`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEYS.platform}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ identifier: `urn:oid:2.16.156.10011.1.3|${SAMPLE_RESIDENT_ID}` }),
    });
    return res.json();
  });
  // searches with other parameters
  if (keys[0]) {
    await kit('search Observation code', () =>
      platform.search({
        resourceType: 'Observation',
        searchParams: { patient: `Patient/${keys[0]}`, code: 'http://loinc.org|2823-3' },
      }),
    );
    for (const include of ['DiagnosticReport:result', 'DiagnosticReport:imagingStudy'])
      await kit(`search DiagnosticReport _include ${include}`, () =>
        platform.search({
          resourceType: 'DiagnosticReport',
          searchParams: { patient: `Patient/${keys[0]}`, _include: include },
        }),
      );
    // a parameter the hub does not serve: a warning entry (search mode outcome)
    await kit('search DiagnosticReport ignored parameter', () =>
      platform.search({
        resourceType: 'DiagnosticReport',
        searchParams: { patient: `Patient/${keys[0]}`, _include: 'DiagnosticReport:subject' },
      }),
    );
    await kit('search ServiceRequest status category', () =>
      platform.search({
        resourceType: 'ServiceRequest',
        searchParams: { patient: `Patient/${keys[0]}`, status: 'active,revoked,completed' },
      }),
    );
    const page = (await kit('search Observation _count=2', () =>
      platform.search({
        resourceType: 'Observation',
        searchParams: { patient: `Patient/${keys[0]}`, _count: '2' },
      }),
    )) as fhir4.Bundle | undefined;
    const next = page?.link?.find((l) => l.relation === 'next')?.url;
    if (next) await get('search Observation next page', next.replace(/^https?:\/\/[^/]+/, ''), KEYS.platform);
    const posted = await fetch(`${hub.httpUrl}/fhir/Patient/$recognisable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.platform}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueString: 'urn:oid:2.16.156.10011.1.3|420102195506202048' },
          { name: 'requester', valueString: 'DEMOH1' },
        ],
      }),
    });
    sink.put(`POST Patient/$recognisable → ${posted.status}`, posted.status, await posted.text());
    await kit('search DiagnosticReport _count', () =>
      platform.search({
        resourceType: 'DiagnosticReport',
        searchParams: { patient: `Patient/${keys[0]}`, _count: '1' },
      }),
    );
  }
  // every resource read by id and its history
  for (const [type, ids] of seen) {
    if (!types.includes(type as (typeof types)[number])) continue;
    for (const id of ids) {
      await kit(`read ${type}`, () => platform.read({ resourceType: type, id }));
      const history = await kit(`${type} _history`, () => platform.history({ resourceType: type, id }));
      const first = (history as fhir4.Bundle | undefined)?.entry?.[0]?.resource?.meta?.versionId;
      if (first)
        await kit(`${type} _history/vid`, () => platform.vread({ resourceType: type, id, version: first }));
    }
  }
  // a recognition decision on the first recognisable result, as the deciding institution
  await recognitionDecision(hub, sink, dir);
  // the access trail
  const audit = await kit('AuditEvent search', () =>
    auditor.search({ resourceType: 'AuditEvent', searchParams: { _count: '50' } }),
  );
  const auditId = (audit as fhir4.Bundle | undefined)?.entry?.[0]?.resource?.id;
  if (auditId) await kit('AuditEvent read', () => auditor.read({ resourceType: 'AuditEvent', id: auditId }));
  // conformance resources
  for (const type of ['StructureDefinition', 'CodeSystem', 'ValueSet', 'OperationDefinition']) {
    const b = await kit(`search ${type}`, () => platform.search({ resourceType: type, searchParams: {} }));
    for (const e of (b as fhir4.Bundle | undefined)?.entry ?? [])
      if (e.resource?.id)
        await kit(`read ${type}`, () => platform.read({ resourceType: type, id: e.resource!.id! }));
  }
  // errors the read side answers with an OperationOutcome
  await get('DiagnosticReport no patient', '/fhir/DiagnosticReport', KEYS.platform);
  await get('DiagnosticReport unknown', '/fhir/DiagnosticReport/no-such-report', KEYS.platform);
  await get('DiagnosticReport no key', '/fhir/DiagnosticReport?patient=Patient/x', undefined);
  await get(
    'Observation bad _at',
    `/fhir/Observation?patient=Patient/${keys[0] ?? 'x'}&_at=tomorrow`,
    KEYS.auditor,
  );
  await get('unknown type', '/fhir/Medication?patient=Patient/x', KEYS.platform);
  await get('AuditEvent as platform', '/fhir/AuditEvent', KEYS.platform);
  await get('$export bad _type', '/fhir/$export?_type=Nothing', KEYS.platform);
  // Bulk Data: system and patient level, each NDJSON file as served
  for (const path of ['$export', 'Patient/$export']) await bulk(hub, sink, path);
  return sink.files;
}

async function recognitionDecision(hub: ReferralsHub, sink: Sink, dir: string): Promise<void> {
  void dir;
  const demoPatients = await fetch(`${hub.httpUrl}/fhir/Patient/_search`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${KEYS.platform}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ identifier: 'urn:oid:2.16.156.10011.1.3|420102195506202048' }),
  });
  const patient = ((await demoPatients.json()) as fhir4.Bundle).entry?.[0]?.resource?.id;
  if (!patient) return;
  for (const [code, key] of Object.entries(DEMO_KEYS)) {
    const res = await fetch(`${hub.httpUrl}/fhir/Patient/${patient}/$recognisable`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const text = await res.text();
    const b = sink.put(`$recognisable as ${code} → ${res.status}`, res.status, text) as
      fhir4.Bundle | undefined;
    // a result this institution may recognise (the extension's status), not its own
    const focus = b?.entry
      ?.map((e) => e.resource as fhir4.DiagnosticReport | undefined)
      .find((r) =>
        r?.extension?.some(
          (x) =>
            x.url.endsWith('/recognition-eligibility') &&
            x.extension?.some((y) => y.url === 'status' && y.valueCode === 'recognisable'),
        ),
      );
    if (!focus?.id) continue;
    const decision: fhir4.Task = {
      resourceType: 'Task',
      status: 'completed',
      intent: 'order',
      code: { coding: [{ system: RECOGNITION_DECISION, code: 'recognised' }] },
      focus: { reference: `${focus.resourceType}/${focus.id}` },
      for: { reference: `Patient/${patient}` },
    };
    const r = await call(hub, 'POST', '/fhir/Task', key, decision);
    sink.put(`POST Task decision as ${code} → ${r.status}`, r.status, JSON.stringify(r.body));
    const read = await fetch(`${hub.httpUrl}/fhir/${focus.resourceType}/${focus.id}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    sink.put(
      `read recognised ${focus.resourceType} as ${code} → ${read.status}`,
      read.status,
      await read.text(),
    );
    return;
  }
}

async function bulk(hub: ReferralsHub, sink: Sink, path: string): Promise<void> {
  const auth = { authorization: `Bearer ${KEYS.platform}` };
  const kick = await fetch(`${hub.httpUrl}/fhir/${path}`, {
    headers: { ...auth, accept: 'application/fhir+json', prefer: 'respond-async' },
  });
  if (kick.status !== 202) {
    sink.put(`${path} kick-off → ${kick.status}`, kick.status, await kick.text());
    return;
  }
  await kick.arrayBuffer();
  const status = kick.headers.get('content-location')!;
  for (let i = 0; i < 300; i++) {
    const res = await fetch(status, { headers: auth });
    if (res.status === 202) {
      await res.arrayBuffer();
      await sleep(100);
      continue;
    }
    const manifest = (await res.json()) as {
      output: { type: string; url: string }[];
      error: { url: string }[];
    };
    for (const file of [...manifest.output, ...manifest.error]) {
      const f = await fetch(file.url, { headers: auth });
      sink.put(`${path} ${file.url.split('/').pop()}`, f.status, await f.text(), 'ndjson');
    }
    return;
  }
  throw new Error(`${path}: no manifest`);
}
