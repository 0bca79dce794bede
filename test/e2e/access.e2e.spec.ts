import { fhirPatientId, type fhir4 } from '@yilian/contracts';
import { MllpClient, nameBasedUuid } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { labReportBundle, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import type { RunningHub } from '../../apps/hub/src/hub';
import { fixture } from '../../libs/hl7v2/test/fixtures';
import { eventually, KEYS, PATIENT_KEY_SECRET, postFhir, startTestHub } from './hub-harness';

/** Every role against every read route: who gets what (docs/access.md). H001 sent a report for
 * P1, X003 one for P2; C002 has a part in neither. */
const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
const P1 = keyer.forResidentId(SAMPLE_RESIDENT_ID);
const P2 = keyer.forMrn('X003', 'M-77');
/** P1's H001 MRN, linked to P1 (its identity stream holds the link). */
const P1_MRN = keyer.forMrn('H001', 'M-2001');
/** H001's order PO-1001 for P1 (OML^O21 over MLLP): its ServiceRequest's id. */
const ORDER = nameBasedUuid('H001|PO-1001|ServiceRequest');
const ROLES = ['none', 'unknown', 'platform', 'auditor', 'H001', 'X003', 'C002'] as const;
type Role = (typeof ROLES)[number];
const KEY: Record<Role, string | undefined> = {
  none: undefined,
  unknown: 'key-nobody-0123456789abcdef',
  platform: KEYS.platform,
  auditor: KEYS.auditor,
  H001: KEYS.H001,
  X003: KEYS.X003,
  C002: KEYS.C002,
};

/** A route and the status each role gets: P1's data — platform, auditor, H001; the trail — the
 * auditor alone; unauthenticated — 401 everywhere but metadata. */
const P1_DATA = { platform: 200, auditor: 200, H001: 200, X003: 403, C002: 403 };
const TRAIL = { platform: 403, auditor: 200, H001: 403, X003: 403, C002: 403 };
const ANY = { platform: 200, auditor: 200, H001: 200, X003: 200, C002: 200 };
/** An instant in the past for the as-of routes. */
const AT = encodeURIComponent('2026-01-01T00:00:00+08:00');
const ROUTES: { route: string; expect: Partial<Record<Role, number>>; post?: string }[] = [
  { route: `DiagnosticReport?patient=Patient/${P1}`, expect: P1_DATA },
  { route: 'DiagnosticReport/H001.A-2001', expect: P1_DATA },
  { route: 'DiagnosticReport/H001.A-2001/_history', expect: P1_DATA },
  { route: `Observation?patient=Patient/${P1}`, expect: P1_DATA },
  { route: 'Observation/H001.A-2001.o1', expect: P1_DATA },
  { route: `ImagingStudy?patient=Patient/${P1}`, expect: P1_DATA },
  { route: `ServiceRequest?patient=Patient/${P1}`, expect: P1_DATA },
  { route: `Task?patient=Patient/${P1}`, expect: P1_DATA },
  { route: `ServiceRequest/${ORDER}`, expect: P1_DATA },
  { route: `ServiceRequest/${ORDER}/_history`, expect: P1_DATA },
  { route: `ServiceRequest/${ORDER}/_history/1`, expect: P1_DATA },
  { route: `Patient/${P1}/$everything`, expect: P1_DATA },
  // as of a past moment, from the log: the auditors' (docs/as-of.md)
  { route: `DiagnosticReport?patient=Patient/${P1}&_at=${AT}`, expect: TRAIL },
  { route: `Observation?patient=Patient/${P1}&_at=${AT}`, expect: TRAIL },
  { route: `ImagingStudy?patient=Patient/${P1}&_at=${AT}`, expect: TRAIL },
  { route: `ServiceRequest?patient=Patient/${P1}&_at=${AT}`, expect: TRAIL },
  { route: `Task?patient=Patient/${P1}&_at=${AT}`, expect: TRAIL },
  { route: `Patient/${P1}/$everything?_at=${AT}`, expect: TRAIL },
  { route: 'DiagnosticReport/H001.A-2001/_history/1', expect: P1_DATA },
  { route: 'Observation/H001.A-2001.o1/_history', expect: P1_DATA },
  { route: 'Observation/H001.A-2001.o1/_history/1', expect: P1_DATA },
  { route: `Patient/${P1_MRN}/_history`, expect: P1_DATA },
  { route: `Patient/${P1_MRN}/_history/1`, expect: P1_DATA },
  {
    route: 'Patient/_search',
    post: `identifier=${encodeURIComponent(`urn:oid:2.16.156.10011.1.3|${SAMPLE_RESIDENT_ID}`)}`,
    expect: P1_DATA,
  },
  { route: 'DiagnosticReport', expect: ANY },
  { route: 'AuditEvent', expect: TRAIL },
  { route: `AuditEvent?patient=Patient/${P1}`, expect: TRAIL },
  { route: 'metadata', expect: { ...ANY, none: 200, unknown: 200 } },
];

describe('who may read what (every role × every read route)', () => {
  let hub: RunningHub;
  const get = (route: string, role: Role, post?: string) =>
    fetch(`${hub.httpUrl}/fhir/${route}`, {
      method: post ? 'POST' : 'GET',
      headers: {
        ...(KEY[role] ? { authorization: `Bearer ${KEY[role]}` } : {}),
        ...(post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(post ? { body: post } : {}),
    });

  beforeAll(async () => {
    hub = await startTestHub('access');
    expect(
      (
        await postFhir(
          hub,
          '',
          labReportBundle({
            accession: 'A-2001',
            residentId: SAMPLE_RESIDENT_ID,
            mrn: { institution: 'H001', value: 'M-2001' },
          }),
        )
      ).status,
    ).toBe(201);
    const x = JSON.parse(
      JSON.stringify(
        labReportBundle({ accession: 'X-1', mrn: { institution: 'X003', value: 'M-77' } }),
      ).replace(/urn:yilian:institution:H001:/g, 'urn:yilian:institution:X003:'),
    ) as fhir4.Bundle;
    expect((await postFhir(hub, '', x, KEYS.X003)).status).toBe(201);
    const mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
    expect(await mllp.send(fixture('orders/cn-his-oml-o21-cbc-v251.hl7'))).toContain('MSA|AA|');
    await mllp.close();
    await eventually(
      async () => (await get(`ServiceRequest/${ORDER}`, 'platform')).status,
      (status) => status === 200,
    );
    await eventually(
      async () =>
        (await (await get(`DiagnosticReport?patient=Patient/${P2}`, 'platform')).json()) as fhir4.Bundle,
      (b) => b.total === 1,
    );
    await eventually(
      async () =>
        (await (await get(`DiagnosticReport?patient=Patient/${P1}`, 'platform')).json()) as fhir4.Bundle,
      (b) => b.total === 1,
    );
  }, 60_000);
  afterAll(() => hub?.stop());

  const cases = ROUTES.flatMap(({ route, expect: e, post }) =>
    ROLES.map((role) => ({ route, role, post, method: post ? 'POST' : 'GET', status: e[role] ?? 401 })),
  );
  it.each(cases)('$role $method $route → $status', async ({ route, role, post, status }) => {
    const res = await get(route, role, post);
    expect(res.status).toBe(status);
    const body = (await res.json()) as fhir4.Resource;
    if (status >= 400) {
      expect(body.resourceType).toBe('OperationOutcome');
      expect((body as fhir4.OperationOutcome).issue[0]!.code).toBe(status === 401 ? 'security' : 'forbidden');
    }
  });

  it('an institution searching without a patient sees only the patients it has a part in', async () => {
    const ids = async (role: Role) =>
      ((await (await get('DiagnosticReport', role)).json()) as fhir4.Bundle).entry
        ?.filter((e) => e.search?.mode === 'match')
        .map((e) => e.resource!.id)
        .sort() ?? [];
    expect(await ids('platform')).toEqual(['H001.A-2001', 'X003.X-1']);
    expect(await ids('H001')).toEqual(['H001.A-2001']);
    expect(await ids('X003')).toEqual(['X003.X-1']);
    expect(await ids('C002')).toEqual([]);
  });

  it('records every read as an AuditEvent the auditor finds by patient, agent and outcome', async () => {
    await get(`DiagnosticReport?patient=Patient/${P1}`, 'C002');
    const search = async (q: string) =>
      (((await (await get(`AuditEvent?${q}`, 'auditor')).json()) as fhir4.Bundle).entry ?? []).map(
        (e) => e.resource as fhir4.AuditEvent,
      );
    const refused = await search(`patient=Patient/${P1}&agent=institution-C002&outcome=4`);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.agent.find((a) => a.requestor)!.who!.identifier!.value).toBe('institution-C002');
    expect(refused[0]!.agent.some((a) => a.who?.reference === 'Organization/C002')).toBe(true);
    const reads = await search(`patient=Patient/${P1}&subtype=read&outcome=0`);
    const entities = reads.flatMap((a) => a.entity?.map((e) => e.what?.reference) ?? []);
    expect(entities).toContain('DiagnosticReport/H001.A-2001');
    expect(entities).toContain(`Patient/${fhirPatientId(P1)}`);
    expect(JSON.stringify(reads)).not.toContain(SAMPLE_RESIDENT_ID);
    const today = new Date().toISOString().slice(0, 10);
    expect((await search(`date=${today}&type=rest`)).length).toBeGreaterThan(0);
    expect(await search('date=lt2000-01-01')).toEqual([]);
  });

  /** On the write side the institution comes from the credential: H001 may not write into
   * C002's namespaces (the hub keys reports, patients, referrals and studies by them). */
  const foreign = (kind: string) => ({ system: `urn:yilian:institution:C002:${kind}`, value: `NS-${kind}` });
  it.each([
    {
      key: 'accession',
      path: '',
      body: labReportBundle({ accession: 'NS-1', institution: 'C002', residentId: SAMPLE_RESIDENT_ID }),
      at: 'Bundle.entry[1].resource.identifier[0].system',
    },
    {
      key: 'MRN',
      path: '',
      body: labReportBundle({
        accession: 'NS-2',
        institution: 'H001',
        mrn: { institution: 'C002', value: 'C-9' },
      }),
      at: 'Bundle.entry[0].resource.identifier[0].system',
    },
    {
      key: 'referral',
      path: '/ServiceRequest',
      body: {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        identifier: [foreign('referral')],
        subject: { reference: 'Patient/x' },
      },
      at: 'ServiceRequest.identifier[0].system',
    },
    {
      key: 'study',
      path: '/ImagingStudy',
      body: {
        resourceType: 'ImagingStudy',
        status: 'available',
        identifier: [foreign('accession')],
        subject: { reference: 'Patient/x' },
      },
      at: 'ImagingStudy.identifier[0].system',
    },
  ])(
    'refuses a $key identifier in another institution’s namespace (422 naming the path), storing nothing',
    async ({ path, body, at }) => {
      const res = await postFhir(hub, path, body, KEYS.H001);
      expect(res.status).toBe(422);
      const outcome = res.body as fhir4.OperationOutcome;
      expect(outcome.issue.map((i) => i.expression?.[0])).toEqual([at]);
      expect(outcome.issue[0]!.diagnostics).toContain("C002's");
      const reports = (await (await get('DiagnosticReport', 'platform')).json()) as fhir4.Bundle;
      expect(reports.entry!.map((e) => e.resource!.id)).not.toContain('H001.NS-1');
      expect(reports.entry!.map((e) => e.resource!.id)).not.toContain('H001.NS-2');
    },
  );
});
