import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { hashApiKey, type InstitutionCredential, type ReadClientCredential } from '@yilian/config';
import type { DemoInstitution } from './demo/demo-seed';

/** What the embedded hub generates on first start and keeps under its data dir. */
export interface HubSecrets {
  readonly patientKeySecret: string;
  readonly demoInstitution: { code: string; name: string; apiKey: string; mllpPort: number };
  /** `jwks` (added by hand, public keys): the client may also get SMART Backend Services tokens. */
  readonly platformClient: { name: string; apiKey: string; jwks?: ReadClientCredential['jwks'] };
  /** Registers alliances and their members (POST /alliances). */
  readonly allianceOperator?: { name: string; apiKey: string };
  /** The demo alliance's lead hospital and secondary hospital (the community centre is
   * `demoInstitution`); HTTP only (HL7 v2 over `POST /hl7v2`, FHIR, JSON). */
  readonly demoMembers?: readonly DemoInstitution[];
  /** Sees the audit trail (the console's audit page). */
  readonly auditorClient?: { name: string; apiKey: string; jwks?: ReadClientCredential['jwks'] };
}

export interface LoadedSecrets {
  readonly secrets: HubSecrets;
  /** True when this start created the data dir's secrets: the hub's first start. */
  readonly firstStart: boolean;
}

export function loadOrCreateSecrets(dataDir: string, mllpPort: number): LoadedSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'hub-secrets.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as HubSecrets;
    if (kept.allianceOperator && kept.demoMembers && kept.auditorClient)
      return { secrets: kept, firstStart: false };
    // a data dir from an older version: add what it lacks, keep every key it has
    const upgraded: HubSecrets = {
      ...kept,
      allianceOperator: kept.allianceOperator ?? newOperator(),
      demoMembers: kept.demoMembers ?? newDemoMembers(),
      auditorClient: kept.auditorClient ?? newAuditor(),
    };
    writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return { secrets: upgraded, firstStart: false };
  }
  const secrets: HubSecrets = {
    patientKeySecret: randomBytes(32).toString('base64'),
    demoInstitution: {
      code: 'DEMO01',
      name: '示范社区卫生服务中心 (demo)',
      apiKey: newKey(),
      mllpPort,
    },
    platformClient: { name: 'regional-platform', apiKey: newKey() },
    allianceOperator: newOperator(),
    demoMembers: newDemoMembers(),
    auditorClient: newAuditor(),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { secrets, firstStart: true };
}

export function demoCredentials(secrets: HubSecrets): InstitutionCredential[] {
  const d = secrets.demoInstitution;
  return [
    { code: d.code, name: d.name, apiKeySha256: hashApiKey(d.apiKey), mllpPort: d.mllpPort },
    ...(secrets.demoMembers ?? []).map((m) => ({
      code: m.code,
      name: m.name,
      apiKeySha256: hashApiKey(m.apiKey),
    })),
  ];
}

/** The demo alliance's three institutions, the community centre (DEMO01, which has the MLLP port)
 * included. */
export function demoInstitutions(secrets: HubSecrets): DemoInstitution[] {
  const d = secrets.demoInstitution;
  return [
    ...(secrets.demoMembers ?? []),
    { code: d.code, name: d.name, apiKey: d.apiKey, level: 'primary', role: 'member' },
  ];
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

function newKey(): string {
  return `yl_${randomBytes(18).toString('base64url')}`;
}

function newOperator(): { name: string; apiKey: string } {
  return { name: 'alliance-operator', apiKey: newKey() };
}

function newDemoMembers(): DemoInstitution[] {
  return [
    { code: 'DEMOH1', name: '示范三级医院（演示数据）', apiKey: newKey(), level: 'tertiary', role: 'lead' },
    {
      code: 'DEMOS1',
      name: '示范二级医院（演示数据）',
      apiKey: newKey(),
      level: 'secondary',
      role: 'member',
    },
  ];
}

function newAuditor(): { name: string; apiKey: string } {
  return { name: 'auditor', apiKey: newKey() };
}
