import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Client from 'fhir-kit-client';
import { Pool } from 'pg';
import { hashApiKey } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { PatientKeyer } from '@yilian/patients';
import { PlatformApiModule } from '../../apps/platform-api/src/platform-api.module';
import { KEYS, PATIENT_KEY_SECRET, startTestHub } from './hub-harness';

/** `GET /fhir/metadata` tells the truth: every GET route platform-api serves under /fhir (and
 * `POST /fhir/Patient/_search`) is in the CapabilityStatement, and everything it lists is a
 * route. Routes are read from the Nest app's router; the statement over a real socket with
 * fhir-kit-client, validated against the R4 StructureDefinitions. */
type Hub = Awaited<ReturnType<typeof startTestHub>>;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** `Type interaction` / `Type $op` / `$op` for one route; undefined for /fhir/metadata and the
 * SMART discovery document (/fhir/.well-known/smart-configuration: the statement's security names
 * its token endpoint instead). */
function served(method: string, path: string): string | undefined {
  const parts = path.replace(/^\/fhir\/?/, '').split('/');
  const [type, second, third, fourth] = parts;
  if ((type === 'metadata' && parts.length === 1) || type === '.well-known') return undefined;
  if (type!.startsWith('$')) return type;
  if (method === 'post') return second === '_search' ? `${type} search-type` : `${type} POST ${path}`;
  if (parts.length === 1) return `${type} search-type`;
  if (second!.startsWith('$')) return `${type} ${second}`;
  if (parts.length === 2) return `${type} read`;
  if (third!.startsWith('$')) return `${type} ${third}`;
  if (third === '_history' && parts.length === 3) return `${type} history-instance`;
  if (third === '_history' && fourth) return `${type} vread`;
  return `${type} ? ${path}`;
}

describe('GET /fhir/metadata against the routes platform-api serves', () => {
  let hub: Hub;
  let routes: string[];
  beforeAll(async () => {
    hub = await startTestHub('capability');
    const pool = new Pool({ connectionString: hub.databaseUrl, max: 2 });
    const app = await NestFactory.create<NestExpressApplication>(
      PlatformApiModule.register({
        readModelPool: pool,
        platformClients: `capability-test:${hashApiKey('unused-key-0123456789')}`,
        patientKeyer: new PatientKeyer(PATIENT_KEY_SECRET),
        store: hub.store,
      }),
      { logger: false },
    );
    await app.init();
    const router = (app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
    routes = router.stack.flatMap((layer) =>
      layer.route && layer.route.path.startsWith('/fhir')
        ? Object.keys(layer.route.methods)
            .filter((m) => m === 'get' || (m === 'post' && layer.route!.path.endsWith('/_search')))
            .map((m) => served(m, layer.route!.path))
            .filter((s): s is string => s !== undefined)
        : [],
    );
    await app.close();
    await pool.end();
  }, 60_000);
  afterAll(() => hub?.stop());

  it('lists exactly the interactions and operations served, and is a valid R4 CapabilityStatement', async () => {
    const client = new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEYS.auditor}` },
    });
    const statement = (await client.capabilityStatement()) as fhir4.CapabilityStatement;
    expect(validateFhirResource(statement).filter((i) => i.severity === 'error')).toEqual([]);
    const rest = statement.rest![0]!;
    const listed = [
      ...rest.resource!.flatMap((r) => [
        ...(r.interaction ?? []).map((i) => `${r.type} ${i.code}`),
        ...(r.operation ?? []).map((o) => `${r.type} $${o.name}`),
      ]),
      ...(rest.operation ?? []).map((o) => `$${o.name}`),
    ];
    expect(routes).toEqual(
      expect.arrayContaining([
        'Observation vread',
        'Patient history-instance',
        'Patient $everything',
        '$export',
      ]),
    );
    expect([...new Set(routes)].sort()).toEqual([...new Set(listed)].sort());
  });

  it('names _at on the types answered as of an instant, for auditors', async () => {
    const statement = (await (
      await fetch(`${hub.httpUrl}/fhir/metadata`)
    ).json()) as fhir4.CapabilityStatement;
    const withAt = statement
      .rest![0]!.resource!.filter((r) => r.searchParam?.some((p) => p.name === '_at'))
      .map((r) => r.type)
      .sort();
    expect(withAt).toEqual(['DiagnosticReport', 'ImagingStudy', 'Observation', 'ServiceRequest', 'Task']);
  });
  it("declares the Bulk Data IG's export operations by their canonicals: system, Patient and Group $export", async () => {
    const statement = (await (
      await fetch(`${hub.httpUrl}/fhir/metadata`)
    ).json()) as fhir4.CapabilityStatement;
    const rest = statement.rest![0]!;
    expect(rest.operation?.find((o) => o.name === 'export')?.definition).toBe(
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
    );
    const patient = rest.resource!.find((r) => r.type === 'Patient');
    expect(patient?.operation?.find((o) => o.name === 'export')?.definition).toBe(
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
    );
    const group = rest.resource!.find((r) => r.type === 'Group');
    expect(group?.operation?.find((o) => o.name === 'export')?.definition).toBe(
      'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
    );
  });
});
