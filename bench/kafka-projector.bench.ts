/*
 * npm run bench:projector — how fast the Kafka projector applies lab-report events to the read
 * models: one transaction per event (BENCH_BATCH=1: the path as it was before batches, and the
 * fallback now) against batches (up to 200 events per transaction, the default).
 *
 * Starts a fresh embedded PostgreSQL and a Kafka broker of its own (under .tmp, removed after),
 * publishes BENCH_EVENTS LabReportRecorded events (the intake bench's complete blood counts,
 * ≈5 KB of FHIR each, first versions, keyed by patient over 3 partitions) once, then for each
 * round and mode starts a KafkaProjector with a fresh consumer group (from the beginning of the
 * topic) on a fresh read database and times it from its first applied event to its last.
 * Rounds alternate the order of the modes, so load from other processes falls on both alike.
 * Prints events/s (each event applied by every read model that reads it: lab reports feed the
 * lab-report and the recognition read models), the projector process's and PostgreSQL's CPU
 * per event, and the load average before and after every run.
 *
 * Env: BENCH_EVENTS (10000), BENCH_ROUNDS (2), BENCH_MODES ("one,batch"), BENCH_BATCH_SIZE
 * (200), BENCH_PARTITIONS_CONCURRENTLY (the projector's default, 3), BENCH_TIMEOUT_S (600).
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import type { RecordedEvent } from '@yilian/contracts';
import { createKafka, ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { ALL_PROJECTIONS } from '@yilian/projections';
import { startEmbeddedPostgres } from '@yilian/testing';
import { KafkaProjector } from '../apps/projector/src';
import { startKafkaBroker } from '../libs/testing/src/kafka-broker';
import { labReportEvent, labReportStreamId } from './lib/lab-report-workload';
import { serverCpuMs } from './lib/server-cpu';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const events = envInt('BENCH_EVENTS', 10_000, 1);
const rounds = envInt('BENCH_ROUNDS', 2, 1);
const batchSize = envInt('BENCH_BATCH_SIZE', 200, 2);
const timeoutMs = envInt('BENCH_TIMEOUT_S', 600, 1) * 1000;
const concurrency = process.env.BENCH_PARTITIONS_CONCURRENTLY
  ? envInt('BENCH_PARTITIONS_CONCURRENTLY', 1, 1)
  : undefined;
const MODES = { one: 1, batch: batchSize } as const;
type Mode = keyof typeof MODES;
const modes = (process.env.BENCH_MODES ?? 'one,batch').split(',').map((m) => {
  if (!(m in MODES)) throw new Error(`BENCH_MODES: unknown mode ${m} (one, batch)`);
  return m as Mode;
});

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function recorded(index: number): RecordedEvent {
  const id = labReportStreamId('KP', index);
  const event = labReportEvent(id, 0);
  return {
    ...event,
    stream: id.stream,
    streamPosition: 0n,
    position: { commit: BigInt(index + 1), prepare: BigInt(index + 1) },
    recordedAt: new Date(Date.UTC(2026, 10, 23) + index).toISOString(),
    hash: 'a'.repeat(64),
    previousHash: null,
  };
}

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

interface Run {
  readonly mode: Mode;
  readonly round: number;
  readonly perSecond: number;
  readonly projectorCpuUsPerEvent: number;
  readonly serverCpuUsPerEvent: number | undefined;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '.tmp', `bench-projector-${process.pid}`);
  const pgDir = join(dir, 'pg');
  const pg = await startEmbeddedPostgres({ dir: pgDir });
  const broker = await startKafkaBroker({ dir: join(dir, 'kafka') }).catch(async (e: unknown) => {
    await pg.stop();
    throw e;
  });
  const stop = async () => {
    await broker.stop().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = setTimeout(() => {
    console.error(`bench:projector: over ${timeoutMs / 1000} s, stopping`);
    void stop().finally(() => process.exit(1));
  }, timeoutMs);
  try {
    const cpu = cpus();
    console.log(
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · Node ${process.version} · ` +
        `${events} lab-report events · batch size ${batchSize} · partitions concurrently ${concurrency ?? 'as the projector (3)'} · rounds ${rounds} · modes ${modes.join(', ')}`,
    );
    const kafka: KafkaConfig = {
      brokers: broker.brokers,
      clientId: 'bench-projector',
      topicPrefix: 'bench.',
    };
    await ensureTopics(createKafka(kafka), kafka.topicPrefix, 3);
    const publisher = new KafkaEventPublisher(kafka);
    await publisher.connect();
    const all = Array.from({ length: events }, (_, i) => recorded(i));
    // 100 at a time: one record batch per partition must stay under the broker's 1 MB message.max.bytes.
    for (let i = 0; i < all.length; i += 100) await publisher.publish(all.slice(i, i + 100));
    await publisher.disconnect();
    console.log(`published ${events} events to ${kafka.topicPrefix}yilian.results.v1`);

    // `applied` counts applications: a lab report feeds the lab-report and recognition read models
    const perEvent = ALL_PROJECTIONS.filter((p) => p.canHandle(all[0]!)).length;
    const runs: Run[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? modes : [...modes].reverse();
      for (const mode of order) {
        const run = await measure(pg.url, pgDir, kafka, mode, round, perEvent);
        runs.push(run);
        console.log(
          `round ${round + 1} ${mode.padEnd(5)} ${run.perSecond.toFixed(0).padStart(6)} events/s · ` +
            `projector CPU ${run.projectorCpuUsPerEvent.toFixed(0)} µs/event · PostgreSQL CPU ${
              run.serverCpuUsPerEvent?.toFixed(0) ?? '?'
            } µs/event · load ${run.loadBefore} → ${run.loadAfter}`,
        );
      }
    }
    for (const mode of modes) {
      const figures = runs.filter((r) => r.mode === mode).map((r) => r.perSecond.toFixed(0));
      console.log(`${mode}: ${figures.join(', ')} events/s`);
    }
  } finally {
    clearTimeout(deadline);
    await stop();
  }
}

async function measure(
  adminUrl: string,
  pgDir: string,
  kafka: KafkaConfig,
  mode: Mode,
  round: number,
  perEvent: number,
): Promise<Run> {
  const name = `bench_${mode}_${round}`;
  await sql(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => undefined);
  const projector = new KafkaProjector({
    kafka,
    readModelPool: pool,
    groupId: `bench-projector-${mode}-${round}-${process.pid}`,
    topics: ['results'],
    maxWaitTimeMs: 100,
    maxBatchSize: MODES[mode],
    ...(concurrency ? { consumer: { partitionsConsumedConcurrently: concurrency } } : {}),
  });
  try {
    const loadBefore = load();
    await projector.start();
    // Timed from the first applied event (the group has joined, the fetch has begun) to the last.
    while (projector.applied === 0) await new Promise((ok) => setTimeout(ok, 5));
    const from = { applied: projector.applied, at: performance.now(), cpu: process.cpuUsage() };
    const serverFrom = serverCpuMs(pgDir);
    while (projector.applied < events * perEvent) await new Promise((ok) => setTimeout(ok, 5));
    const seconds = (performance.now() - from.at) / 1000;
    const cpu = process.cpuUsage(from.cpu);
    const serverTo = serverCpuMs(pgDir);
    const n = (projector.applied - from.applied) / perEvent; // events
    return {
      mode,
      round,
      perSecond: n / seconds,
      projectorCpuUsPerEvent: (cpu.user + cpu.system) / n,
      serverCpuUsPerEvent:
        serverFrom === undefined || serverTo === undefined ? undefined : ((serverTo - serverFrom) * 1000) / n,
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await projector.stop();
    await pool.end();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:projector failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
