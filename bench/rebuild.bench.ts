/*
 * npm run bench:rebuild — how fast the read models are built from the log, beside the raw
 * read-all rate of the same store in the same run (issue 15: a rebuild ≥ 50 % of raw read;
 * issue 16: the in-process projector ≥ the intake's rate, ≈2,000/s on this machine).
 *
 * 1. Starts its own embedded PostgreSQL (under .tmp, removed after; loopback only): the event
 *    store in one database, the read models in another, as deployed.
 * 2. Appends BENCH_EVENTS events through the store's group commit. Workload (BENCH_WORKLOAD):
 *    `province` (default) — bench/recognition-workload.ts: biochemistry panels through the
 *    intake's mapper and decider, 10 % imaging studies, 3 % corrections, MRN → resident-ID
 *    links, the recognition rules; `cbc` — the intake bench's complete blood counts (≈5 KB,
 *    15 observations each), 3 % corrected.
 * 3. Reads the whole log with `readAll` (pages of 1,000): the raw read rate.
 * 4. The embedded hub's projector (`InProcessProjector`, every projection of ALL_PROJECTIONS)
 *    from position 0 into the read database until caught up: its rate.
 * 5. The rebuild's replay (`replayLog`: readAll pages of 1,000, one `applyBatch` each, every
 *    projection) from position 0 into a fresh database: its rate, and its share of step 3's.
 * 6. `rebuildAndCompare` into a scratch schema, compared table by table with what step 4
 *    built (the rebuild-equals-live check at this size).
 *
 * Each step prints events/s, CPU per event of this process and of PostgreSQL (less sensitive
 * to the other processes of a shared machine than the rate), and the load average before and
 * after. Env: BENCH_EVENTS (50000), BENCH_WORKLOAD (province | cbc), BENCH_PATIENTS (events/10),
 * BENCH_STEPS (read,projector,rebuild,compare), BENCH_TIMEOUT_S (1800).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { imagingStream, labReportStream, type NewEvent } from '@yilian/contracts';
import { type ExpectedRevision, PostgresEventStore } from '@yilian/event-store';
import { PatientKeyer } from '@yilian/patients';
import {
  ALL_PROJECTIONS,
  InProcessProjector,
  ProjectionRunner,
  rebuildAndCompare,
  replayLog,
} from '@yilian/projections';
import { startEmbeddedPostgres } from '@yilian/testing';
import { labReportEvent, labReportStreamId } from './lib/lab-report-workload';
import { serverCpuMs } from './lib/server-cpu';
import { imagingEvent, initialRules, labEvents, plan } from './recognition-workload';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const EVENTS = envInt('BENCH_EVENTS', 50_000, 100);
const PATIENTS = envInt('BENCH_PATIENTS', Math.max(100, Math.floor(EVENTS / 10)), 100);
const WORKLOAD = process.env.BENCH_WORKLOAD ?? 'province';
if (WORKLOAD !== 'province' && WORKLOAD !== 'cbc')
  throw new Error(`BENCH_WORKLOAD: province or cbc, got ${WORKLOAD}`);
const STEPS = new Set((process.env.BENCH_STEPS ?? 'read,projector,rebuild,compare').split(','));
const TIMEOUT_MS = envInt('BENCH_TIMEOUT_S', 1800, 10) * 1000;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Append {
  readonly stream: string;
  readonly events: NewEvent[];
  readonly expected: ExpectedRevision;
}

/** The workload's appends, in chunks (each chunk's streams distinct; a correction goes in the
 * chunk after its report's). */
function* workload(): Generator<Append[]> {
  const CHUNK = 2000;
  if (WORKLOAD === 'cbc') {
    let due: Append[] = [];
    for (let i = 0, n = 0; n < EVENTS;) {
      const chunk: Append[] = due;
      due = [];
      for (; chunk.length < CHUNK && n < EVENTS; i++) {
        const id = labReportStreamId('RB', i);
        chunk.push({ stream: id.stream, events: [labReportEvent(id, 0)], expected: 'no_stream' });
        n++;
        if (i % 33 === 7 && n < EVENTS) {
          due.push({ stream: id.stream, events: [labReportEvent(id, 1)], expected: 0n });
          n++;
        }
      }
      yield chunk;
    }
    if (due.length > 0) yield due;
    return;
  }
  const keyer = new PatientKeyer(randomBytes(32));
  const from = Date.UTC(2026, 5, 1);
  const p = plan({
    events: EVENTS,
    patients: PATIENTS,
    samples: 10,
    resultsPerSample: 5,
    from,
    to: Date.now(),
  });
  yield initialRules().map((a) => ({ ...a, events: [...a.events] }));
  const linked = new Set<string>();
  let due: Append[] = [];
  for (let i = 0; i < p.results.length; i += CHUNK) {
    const chunk: Append[] = due;
    due = [];
    for (let j = i; j < Math.min(p.results.length, i + CHUNK); j++) {
      const r = p.results[j]!;
      if (r.kind < 0) {
        chunk.push({
          stream: imagingStream(r.institution, r.accession),
          events: [imagingEvent(keyer, r)],
          expected: 'no_stream',
        });
        continue;
      }
      const { report, link } = labEvents(keyer, r, 0);
      if (link && !linked.has(link.stream)) {
        linked.add(link.stream);
        chunk.push({ stream: link.stream, events: [link.event], expected: 'no_stream' });
      }
      const stream = labReportStream(r.institution, r.accession);
      chunk.push({ stream, events: [report], expected: 'no_stream' });
      if (p.corrected.has(j)) due.push({ stream, events: [labEvents(keyer, r, 1).report], expected: 0n });
    }
    yield chunk;
  }
  if (due.length > 0) yield due;
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

function dbUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Times `fn` over `events`: rate, this process's and PostgreSQL's CPU per event, load. */
async function step<T>(
  name: string,
  events: number,
  pgDir: string,
  fn: () => Promise<T>,
): Promise<{ result: T; perSecond: number }> {
  const loadBefore = load();
  const cpu = process.cpuUsage();
  const server = serverCpuMs(pgDir);
  const start = performance.now();
  const result = await fn();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const serverTo = serverCpuMs(pgDir);
  const perSecond = events / seconds;
  console.log(
    `${name.padEnd(34)} ${fmt(perSecond).padStart(7)} events/s (${seconds.toFixed(1)} s) · ` +
      `Node CPU ${((used.user + used.system) / events).toFixed(0)} µs/event · PostgreSQL CPU ${
        server !== undefined && serverTo !== undefined
          ? (((serverTo - server) * 1000) / events).toFixed(0)
          : '?'
      } µs/event · load ${loadBefore} → ${load()}`,
  );
  return { result, perSecond };
}

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '.tmp', `bench-rebuild-${process.pid}`);
  const pgDir = join(dir, 'pg');
  const pg = await startEmbeddedPostgres({ dir: pgDir });
  let store: PostgresEventStore | undefined;
  const stop = async () => {
    await store?.close().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = setTimeout(() => {
    console.error(`bench:rebuild: over ${TIMEOUT_MS / 1000} s, stopping`);
    void stop().finally(() => process.exit(1));
  }, TIMEOUT_MS);
  try {
    const cpu = cpus();
    console.log(
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · Node ${process.version} · workload ${WORKLOAD} · ` +
        `${fmt(EVENTS)} events${WORKLOAD === 'province' ? ` · ${fmt(PATIENTS)} patients` : ''} · ` +
        `projections: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`,
    );
    await sql(pg.url, 'CREATE DATABASE yilian_store');
    await sql(pg.url, 'CREATE DATABASE yilian_read');
    const storeUrl = dbUrl(pg.url, 'yilian_store');
    const readUrl = dbUrl(pg.url, 'yilian_read');
    store = new PostgresEventStore({ connectionString: storeUrl, poolSize: 4, maxBatchAppends: 100 });
    await store.migrate();
    const appendStart = performance.now();
    for (const chunk of workload())
      await Promise.all(chunk.map((a) => store!.append(a.stream, a.events, a.expected)));
    const { rows } = await store.pool.query<{ n: number; size: string }>(
      `SELECT count(*)::int AS n, pg_size_pretty(pg_total_relation_size('yl_events')) AS size FROM yl_events`,
    );
    const events = rows[0]!.n;
    console.log(
      `store: ${fmt(events)} events (${rows[0]!.size}), appended in ${((performance.now() - appendStart) / 1000).toFixed(0)} s`,
    );
    await store.pool.query('VACUUM ANALYZE yl_events');

    let readRate: number | undefined;
    if (STEPS.has('read')) {
      ({ perSecond: readRate } = await step('raw readAll (pages of 1,000)', events, pgDir, async () => {
        let after;
        let n = 0;
        for (;;) {
          const batch = await store!.readAll({ ...(after ? { after } : {}), maxCount: 1000 });
          if (batch.length === 0) break;
          n += batch.length;
          after = batch[batch.length - 1]!.position;
        }
        if (n !== events) throw new Error(`readAll read ${n} of ${events}`);
      }));
    }

    if (STEPS.has('projector') || STEPS.has('compare')) {
      const pool = new Pool({ connectionString: readUrl, max: 4 });
      pool.on('error', () => undefined);
      const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
      await runner.migrate();
      const projector = new InProcessProjector(store, runner, 'bench-rebuild');
      try {
        await step('in-process projector (all)', events, pgDir, async () => {
          await new Promise<void>((resolve, reject) => {
            void projector.start(resolve).then(() => projector.done?.catch(reject), reject);
          });
        });
      } finally {
        await projector.stop();
        await pool.end();
      }
    }

    if (STEPS.has('rebuild')) {
      await sql(pg.url, 'CREATE DATABASE yilian_rebuild');
      const pool = new Pool({ connectionString: dbUrl(pg.url, 'yilian_rebuild'), max: 4 });
      pool.on('error', () => undefined);
      const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
      await runner.migrate();
      try {
        const { result, perSecond } = await step('rebuild (replayLog, all)', events, pgDir, () =>
          replayLog(store!, runner),
        );
        if (result.events !== events) throw new Error(`the rebuild read ${result.events} of ${events}`);
        if (readRate) console.log(`rebuild / raw read: ${((perSecond / readRate) * 100).toFixed(0)} %`);
      } finally {
        await pool.end();
      }
    }

    if (STEPS.has('compare')) {
      const { result } = await step('rebuildAndCompare (replay + compare)', events, pgDir, () =>
        rebuildAndCompare({ store: store!, readModelUrl: readUrl, projections: ALL_PROJECTIONS }),
      );
      console.log(
        `rebuildAndCompare: ${fmt(result.events)} events, ${result.tables.length} tables, identical to the projector's: ${result.identical}` +
          (result.identical
            ? ''
            : ` · differ: ${result.tables
                .filter((t) => !t.same)
                .map((t) => t.table)
                .join(', ')}`),
      );
    }
  } finally {
    clearTimeout(deadline);
    await stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:rebuild failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
