import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { hashApiKey, type InstitutionCredential } from '@yilian/config';

/** What the embedded hub generates on first start and keeps under its data dir. */
export interface HubSecrets {
  readonly patientKeySecret: string;
  readonly demoInstitution: { code: string; name: string; apiKey: string; mllpPort: number };
  readonly platformClient: { name: string; apiKey: string };
  /** Registers alliances and their members (POST /alliances). */
  readonly allianceOperator?: { name: string; apiKey: string };
  /** Reads the access trail (GET /fhir/AuditEvent) and everything else. */
  readonly auditorClient?: { name: string; apiKey: string };
}

export function loadOrCreateSecrets(dataDir: string, mllpPort: number): HubSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'hub-secrets.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as HubSecrets;
    if (kept.allianceOperator && kept.auditorClient) return kept;
    const upgraded = {
      ...kept,
      allianceOperator: kept.allianceOperator ?? newOperator(),
      auditorClient: kept.auditorClient ?? newAuditor(),
    };
    writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const secrets: HubSecrets = {
    patientKeySecret: randomBytes(32).toString('base64'),
    demoInstitution: {
      code: 'DEMO01',
      name: '示范社区卫生服务中心 (demo)',
      apiKey: `yl_${randomBytes(18).toString('base64url')}`,
      mllpPort,
    },
    platformClient: { name: 'regional-platform', apiKey: `yl_${randomBytes(18).toString('base64url')}` },
    allianceOperator: newOperator(),
    auditorClient: newAuditor(),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function demoCredentials(secrets: HubSecrets): InstitutionCredential[] {
  const d = secrets.demoInstitution;
  return [{ code: d.code, name: d.name, apiKeySha256: hashApiKey(d.apiKey), mllpPort: d.mllpPort }];
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function newOperator(): { name: string; apiKey: string } {
  return { name: 'alliance-operator', apiKey: `yl_${randomBytes(18).toString('base64url')}` };
}

function newAuditor(): { name: string; apiKey: string } {
  return { name: 'auditor', apiKey: `yl_${randomBytes(18).toString('base64url')}` };
}

/** PLATFORM_CLIENTS for the embedded hub: the platform client and the auditor. */
export function readClientsSpec(secrets: HubSecrets): string {
  const platform = `${secrets.platformClient.name}:${hashApiKey(secrets.platformClient.apiKey)}`;
  const a = secrets.auditorClient;
  return a ? `${platform},${a.name}:${hashApiKey(a.apiKey)}:auditor` : platform;
}
