import Client from 'fhir-kit-client';
import { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { PatientKeyer } from '@yilian/patients';
import { createLogger } from '@yilian/runtime';
import { MllpClient } from '@yilian/hl7v2';
import { createTestDatabase, labReportBundle } from '@yilian/testing';
import { type RunningHub, startHub } from '../../apps/hub/src/hub';

export const KEYS = {
  H001: 'key-h001-0123456789abcdef',
  C002: 'key-c002-0123456789abcdef',
  X003: 'key-x003-0123456789abcdef',
  platform: 'key-platform-0123456789abcdef',
  auditor: 'key-auditor-0123456789abcdef',
} as const;
export const PATIENT_KEY_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/** The embedded hub, started in-process on its own test database, on ephemeral ports. */
export async function startTestHub(
  label: string,
  databaseUrl?: string,
  /** PLATFORM_CLIENTS instead of the platform and audit-office keys (KEYS). */
  platformClients?: string,
): Promise<RunningHub & { databaseUrl: string }> {
  const url = databaseUrl ?? (await createTestDatabase(label));
  const hub = await startHub({
    databaseUrl: url,
    institutions: new InstitutionDirectory([
      { code: 'H001', name: '第一人民医院', apiKeySha256: hashApiKey(KEYS.H001), mllpPort: 1 },
      { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEYS.C002), mllpPort: 2 },
      { code: 'X003', name: '外区第三医院', apiKeySha256: hashApiKey(KEYS.X003), mllpPort: 3 },
    ]),
    patientKeyer: new PatientKeyer(PATIENT_KEY_SECRET),
    platformClients:
      platformClients ??
      `regional-platform:${hashApiKey(KEYS.platform)},audit-office:${hashApiKey(KEYS.auditor)}:auditor`,
    httpPort: 0,
    host: '127.0.0.1',
    logger: createLogger('hub-test', 'silent'),
    mllp: { ephemeralPorts: true, idleTimeoutMs: 2_000 },
  });
  return { ...hub, databaseUrl: url };
}

/** A test hub for a file's tests (started before them, stopped after them) and an MLLP
 * connection to `institution`'s port: `const t = useHubWithMllp('label')`, then `t.hub`, `t.mllp`. */
export function useHubWithMllp(
  label: string,
  institution = 'H001',
): { hub: RunningHub & { databaseUrl: string }; mllp: MllpClient } {
  const t = {} as { hub: RunningHub & { databaseUrl: string }; mllp: MllpClient };
  beforeAll(async () => {
    t.hub = await startTestHub(label);
    t.mllp = await MllpClient.connect(t.hub.mllpPorts.get(institution)!);
  });
  afterAll(async () => {
    await t.mllp?.close();
    await t.hub?.stop();
  });
  return t;
}

export function platformClient(hub: RunningHub): Client {
  return new Client({
    baseUrl: `${hub.httpUrl}/fhir`,
    customHeaders: { Authorization: `Bearer ${KEYS.platform}` },
  });
}

export async function postFhir(
  hub: RunningHub,
  path: string,
  body: unknown,
  apiKey: string = KEYS.H001,
): Promise<{ status: number; location: string | null; body: fhir4.Resource }> {
  const res = await fetch(`${hub.httpUrl}/fhir${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${apiKey}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: (await res.json()) as fhir4.Resource,
  };
}

/** Events stored in the hub's log, counted in the table: `readAll` stops below the oldest
 * transaction open on the server (other test files share it), so its length can come up short. */
export async function storedEvents(hub: { databaseUrl: string }): Promise<number> {
  const pool = new Pool({ connectionString: hub.databaseUrl, max: 1 });
  try {
    return Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM yl_events')).rows[0]!.n);
  } finally {
    await pool.end();
  }
}

export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (t: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (ok(value) || Date.now() > deadline) return value;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function labReportBundleFor(accession: string, residentId: string): fhir4.Bundle {
  return labReportBundle({ accession, residentId });
}
