/* docker/docker-compose.yml against the roles' one source of truth (scripts/cluster/roles.ts,
 * docker/env/*.env), which `npm run start:cluster` runs on this machine: no Docker engine here,
 * so the compose file is checked by parsing it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// js-yaml comes with jest (istanbul); a YAML 1.1 reader with anchors and merge keys, as compose.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
import {
  DOCKER_DIR,
  parseEnvFile,
  REPO_ROOT,
  ROLES,
  roleSettings,
  type RoleName,
} from '../../scripts/cluster/roles';

interface Service {
  image?: string;
  command?: string[];
  env_file?: string[];
  environment?: Record<string, unknown>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
}
const compose = yaml.load(readFileSync(join(DOCKER_DIR, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = compose.services;
const roles = Object.keys(ROLES) as RoleName[];

describe('docker-compose.yml and the roles (scripts/cluster/roles.ts, docker/env)', () => {
  it.each(roles)(
    '%s: runs its entry point with its env files and only the deployment’s addresses and secrets',
    (role) => {
      const service = services[role]!;
      expect(service).toBeDefined();
      expect(service.command).toEqual(['node', ROLES[role].entry]);
      expect(service.env_file).toEqual(ROLES[role].envFiles.map((f) => `env/${f}.env`));
      const set = Object.keys(service.environment ?? {}).sort();
      expect(set).toEqual([...ROLES[role].deployment].sort());
      // nothing set twice: a setting lives in its env file, the deployment adds only addresses
      const settings = roleSettings(role);
      expect(set.filter((k) => k in settings)).toEqual([]);
    },
  );

  it('names every env file that exists, and each parses', () => {
    const named = new Set(roles.flatMap((r) => ROLES[r].envFiles));
    for (const f of named)
      expect(() => parseEnvFile(readFileSync(join(DOCKER_DIR, 'env', `${f}.env`), 'utf8'))).not.toThrow();
  });

  it('runs exactly one referral expiry scheduler, and lets somebody register alliances', () => {
    const withExpiry = roles.filter((r) => roleSettings(r).INTAKE_RUN_EXPIRY === 'true');
    expect(withExpiry).toEqual(['intake']);
    expect(services.intake!.environment!.YILIAN_ALLIANCE_OPERATORS).toBe('${YILIAN_ALLIANCE_OPERATORS}');
    // the scheduler reads due referrals from the board
    expect(services.intake!.environment!.READ_MODEL_DATABASE_URL).toMatch(/@read-db:5432\//);
  });

  it('keeps Kafka’s log on the volume, with a healthcheck the relay and projectors wait on', () => {
    const kafka = services.kafka!;
    const logDir = kafka.environment!.KAFKA_LOG_DIRS as string;
    expect(logDir).toBeTruthy();
    expect(kafka.volumes).toContain(`kafka-data:${logDir}`);
    expect(kafka.healthcheck?.test.join(' ')).toMatch(
      /kafka-broker-api-versions\.sh --bootstrap-server localhost:9092/,
    );
    expect(kafka.environment!.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    for (const r of ['relay', 'projector'])
      expect(services[r]!.depends_on!.kafka).toEqual({ condition: 'service_healthy' });
    // the image the tests' broker matches (scripts/kafka/pom.xml)
    const pomVersion = /<kafka\.version>([^<]+)</.exec(
      readFileSync(join(REPO_ROOT, 'scripts/kafka/pom.xml'), 'utf8'),
    )![1];
    expect(kafka.image).toBe(`apache/kafka:${pomVersion}`);
  });

  it('runs two projectors in one group, within the topics’ partitions', () => {
    const partitions = Number(roleSettings('projector').KAFKA_TOPIC_PARTITIONS);
    expect(services.projector!.deploy?.replicas).toBe(2);
    expect(partitions).toBeGreaterThanOrEqual(2);
    expect(roleSettings('projector').PROJECTOR_GROUP_ID).toBeTruthy();
  });

  it('reads in each role only settings the role’s code knows', () => {
    const sources: Record<RoleName, string[]> = {
      intake: ['apps/intake/src/main.ts', 'apps/intake/src/workers.ts'],
      'intake-2': ['apps/intake/src/main.ts', 'apps/intake/src/workers.ts'],
      relay: ['apps/relay/src/main.ts'],
      projector: ['apps/projector/src/main.ts'],
      'platform-api': ['apps/platform-api/src/main.ts'],
    };
    const shared = [
      'LOG_LEVEL',
      'KAFKA_CLIENT_ID',
      'KAFKA_TOPIC_PREFIX',
      'KAFKA_TOPIC_PARTITIONS',
      'KAFKA_TOPIC_REPLICATION',
    ];
    for (const role of roles) {
      const code = sources[role].map((f) => readFileSync(join(REPO_ROOT, f), 'utf8')).join('\n');
      const unknown = Object.keys(roleSettings(role)).filter(
        (k) => !shared.includes(k) && !new RegExp(`\\b${k}\\b`).test(code),
      );
      expect({ role, unknown }).toEqual({ role, unknown: [] });
    }
  });
});
