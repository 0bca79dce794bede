/* The hub's distributed roles, as deployed: one source of truth for docker/docker-compose.yml
 * and `npm run start:cluster`. A role's settings live in docker/env/*.env (read by compose as
 * env_file, and here); a deployment adds only addresses and secrets (`deployment`) and, on one
 * machine, ports. test/deploy/roles.spec.ts checks the compose file against this. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type RoleName = 'intake' | 'intake-2' | 'relay' | 'projector' | 'platform-api';

export interface Role {
  /** The compiled entry point, from the repository root. */
  readonly entry: string;
  /** docker/env files, in order (a later one overrides). */
  readonly envFiles: readonly string[];
  /** What the deployment sets: where the databases and brokers are, the secrets. */
  readonly deployment: readonly string[];
  /** The `msg` of the log line the role writes once it serves. */
  readonly readyMessage: string;
}

const INTAKE_DEPLOYMENT = [
  'EVENT_STORE_URL',
  'READ_MODEL_DATABASE_URL',
  'INTAKE_INSTITUTIONS_FILE',
  'PATIENT_KEY_SECRET',
  'YILIAN_ALLIANCE_OPERATORS',
];

export const ROLES: Readonly<Record<RoleName, Role>> = {
  intake: {
    entry: 'dist/apps/intake/src/main.js',
    envFiles: ['common', 'intake'],
    deployment: INTAKE_DEPLOYMENT,
    readyMessage: 'intake listening',
  },
  'intake-2': {
    entry: 'dist/apps/intake/src/main.js',
    envFiles: ['common', 'intake', 'intake-2'],
    deployment: INTAKE_DEPLOYMENT,
    readyMessage: 'intake listening',
  },
  relay: {
    entry: 'dist/apps/relay/src/main.js',
    envFiles: ['common', 'relay'],
    deployment: ['EVENT_STORE_URL', 'KAFKA_BROKERS'],
    readyMessage: 'relay started',
  },
  projector: {
    entry: 'dist/apps/projector/src/main.js',
    envFiles: ['common', 'projector'],
    deployment: ['READ_MODEL_DATABASE_URL', 'KAFKA_BROKERS'],
    readyMessage: 'projector started',
  },
  'platform-api': {
    entry: 'dist/apps/platform-api/src/main.js',
    envFiles: ['common', 'platform-api'],
    deployment: ['READ_MODEL_DATABASE_URL', 'PLATFORM_CLIENTS', 'PATIENT_KEY_SECRET'],
    readyMessage: 'platform-api listening',
  },
};

export const REPO_ROOT = join(__dirname, '..', '..');
export const DOCKER_DIR = join(REPO_ROOT, 'docker');

/** KEY=VALUE lines as compose reads an env_file: `#` starts a comment line; no quoting. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [n, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const found = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (!found) throw new Error(`env file line ${n + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`);
    vars[found[1]!] = found[2]!;
  }
  return vars;
}

/** A role's settings: its env files merged in order. */
export function roleSettings(role: RoleName): Record<string, string> {
  return Object.assign(
    {},
    ...ROLES[role].envFiles.map((f) =>
      parseEnvFile(readFileSync(join(DOCKER_DIR, 'env', `${f}.env`), 'utf8')),
    ),
  ) as Record<string, string>;
}
