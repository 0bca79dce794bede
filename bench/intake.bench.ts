/*
 * npm run bench:intake — HL7 v2 ORU^R01 over MLLP into the intake, ACK after the durable
 * append, measured end to end.
 *
 * Starts a fresh embedded PostgreSQL in a temp dir (deleted afterwards), reached over its Unix
 * socket as `npm start` does. Measures first, on one core, how fast the HL7 library parses
 * (parseHl7 + classifyMessage) and parses and maps (parseHl7 + mapOruR01Lab) the same messages:
 * the ceiling; and the CPU of each step of the hub's path before any I/O. Then starts what is
 * measured (BENCH_TOPOLOGY):
 *   intake (default): the intake app as deployed — apps/intake/src/main.ts in its own process
 *     with BENCH_INTAKE_WORKERS workers (INTAKE_WORKERS; default: one per core, as we recommend
 *     deploying it where PostgreSQL shares the machine); 0 runs it in this process
 *     instead (needed for BENCH_SPANS and BENCH_PROFILE). No projector while it runs; afterwards
 *     the projector catches up on what was recorded and its rate is printed
 *     (BENCH_PROJECTOR_SECONDS, 30; 0 skips it).
 *   hub: the whole embedded hub in this process (`startHub`: intake, in-process projector,
 *     platform-api), as `npm start` runs it.
 * Then warms up, and runs BENCH_CONNECTIONS connections, each sending ORU^R01 (1 OBR + 15 OBX,
 * ≈2 KB; its own control id and accession; a pool of BENCH_PATIENTS patients) and waiting for
 * the ACK before the next, for BENCH_SECONDS (or BENCH_MESSAGES in all). Every ACK must be AA
 * for that control id. Afterwards the store must hold exactly one event per AA.
 *
 * The load generator runs in a child process (the headline figure) and, with
 * BENCH_LOADGEN=both, again inside this process.
 *
 * Env: BENCH_TOPOLOGY (intake | hub), BENCH_INTAKE_WORKERS (cores), BENCH_CONNECTIONS (16),
 * BENCH_SECONDS (20), BENCH_MESSAGES (0: time only), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (1),
 * BENCH_LOADGEN (both | process | inline), BENCH_INSTITUTIONS (2), BENCH_PATIENTS (300),
 * BENCH_POOL (store pool per intake process; 16), BENCH_STAGES (1: CPU of each step of the
 * hub's path, without I/O; 0 skips it), BENCH_SPANS (0; 1 times the hub's steps in the running
 * hub), BENCH_PROFILE (a .cpuprofile file to write: profiles the in-process intake during the
 * first measured run), BENCH_PROJECTOR_SECONDS (30), BENCH_TCP (0; 1 reaches PostgreSQL over
 * loopback TCP), BENCH_LOG_LEVEL (error), BENCH_TIMEOUT_S (derived from the above),
 * BENCH_INTAKE_PROF_DIR (V8 CPU profiles of the intake's processes), BENCH_DATABASE_URL and
 * BENCH_PG_DATA_DIR (another PostgreSQL server to measure against, and its data directory).
 */
import 'reflect-metadata';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { PatientKeyer } from '@yilian/patients';
import { createLogger, type RunningPostgres, startEmbeddedPostgres } from '@yilian/runtime';
import { ensureDatabase } from '../apps/hub/src/embedded';
import { startHub } from '../apps/hub/src/hub';
import { PostgresEventStore } from '@yilian/event-store';
import { startIntake } from '@yilian/intake';
import { IntakeProcess } from './intake/intake-process';
import { metricsCheck } from './intake/metrics-check';
import { measureProjectorCatchUp } from './intake/projector-catch-up';
import { type Ceiling, measureCeiling } from './intake/ceiling';
import { type LoadResult, type LoadSpec, runLoad } from './intake/load';
import { LoadChild } from './intake/load-child';
import { CpuProfiler } from './intake/profile';
import { eventBytes, measureStages } from './intake/stages';
import { postgresCpuMs } from './intake/server-cpu';
import { instrumentHub, type Spans } from './intake/spans';
import { int, ms, summarize } from './intake/stats';
import { benchMessage, benchPatients, streamPatternFor } from './intake/workload';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

type LoadMode = 'process' | 'inline';
const loadgen = process.env.BENCH_LOADGEN ?? 'process';
if (!['both', 'process', 'inline'].includes(loadgen)) {
  throw new Error(`BENCH_LOADGEN must be both, process or inline, got ${loadgen}`);
}
const MODES: LoadMode[] = loadgen === 'both' ? ['process', 'inline'] : [loadgen as LoadMode];
// 16 senders, each waiting for its ACK: a member system's LIS sends on one or two connections
const connections = envInt('BENCH_CONNECTIONS', 16, 1);
const seconds = envInt('BENCH_SECONDS', 20, 1);
const maxMessages = envInt('BENCH_MESSAGES', 0, 0);
const warmupSeconds = envInt('BENCH_WARMUP_SECONDS', 3, 0);
const rounds = envInt('BENCH_ROUNDS', 1, 1);
const institutionCount = envInt('BENCH_INSTITUTIONS', 2, 1);
const patientCount = envInt('BENCH_PATIENTS', 300, 1);
const poolSize = process.env.BENCH_POOL ? envInt('BENCH_POOL', 16, 1) : undefined;
const withSpans = process.env.BENCH_SPANS === '1';
const topology = process.env.BENCH_TOPOLOGY ?? 'intake';
const intakeWorkers = envInt('BENCH_INTAKE_WORKERS', cpus().length, 0);
if (topology === 'hub' && intakeWorkers > 0 && process.env.BENCH_INTAKE_WORKERS) {
  throw new Error('BENCH_INTAKE_WORKERS applies to BENCH_TOPOLOGY=intake only');
}
if (!['intake', 'hub'].includes(topology))
  throw new Error(`BENCH_TOPOLOGY must be intake or hub, got ${topology}`);
const withStages = process.env.BENCH_STAGES !== '0';
const profileFile = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
const projectorSeconds = envInt('BENCH_PROJECTOR_SECONDS', 30, 0);
const timeoutS = envInt(
  'BENCH_TIMEOUT_S',
  120 + warmupSeconds + rounds * MODES.length * (seconds + 15) + (profileFile ? 30 : 0) + projectorSeconds,
  1,
);
// BENCH_DATABASE_URL: measure against this PostgreSQL server (a fresh database on it, dropped
// afterwards) instead of a fresh embedded one — say, one built with lz4, as in the docker
// deployment; BENCH_PG_DATA_DIR: its data directory, for its CPU (postmaster.pid, as root).
const externalUrl = process.env.BENCH_DATABASE_URL || undefined;
const externalDataDir = process.env.BENCH_PG_DATA_DIR || undefined;
// Issue 16's goal, as a ratio any VM can judge: messages acknowledged per second at least 0.30 ×
// the one-core parse+map ceiling measured in the same run, p99 ≤ 50 ms. The results issue's
// absolute floor (1,500/s) is printed beside it; it was met on a faster VM only.
const GOAL = { ratio: 0.3, p99Ms: 50, floorPerSecond: 1_500 };
const HOST = '127.0.0.1';

/** What the load runs against: the intake app alone (as deployed) or the whole hub. */
interface BenchTarget {
  readonly mllpPorts: ReadonlyMap<string, number>;
  /** The store of an intake running in this process (spans instrument it); undefined when the
   * intake runs in its own processes. */
  readonly store?: PostgresEventStore;
  readonly description: string;
  /** CPU ms used so far by the hub / intake (for an in-process one: this whole process). */
  cpuMs(): number;
  /** Events the in-process projector has applied (hub topology; 0 for intake alone). */
  projected(): number;
  /** The intake's own Prometheus text (GET /metrics of its operator port, or its registry). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

interface RunFigures {
  readonly mode: LoadMode;
  readonly round: number;
  readonly load: LoadResult;
  readonly perSecond: number;
  readonly hubCpuMs: number;
  /** The load generator ran in the process whose CPU `hubCpuMs` counts. */
  readonly sharedProcess: boolean;
  readonly pgCpuMs: number | undefined;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly projected: number;
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

async function query(url: string, text: string, values: unknown[] = []): Promise<Record<string, string>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Resolves once no other client is connected to the server (at most 10 s). */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function disconnected(adminUrl: string): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const [row] = await query(
      adminUrl,
      `SELECT count(*) AS n FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    if (Number(row?.n) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ceilingLines(c: Ceiling, bytes: number, sample: number): string[] {
  const rate = (us: number) => int(1_000_000 / us);
  return [
    `ceiling, one core, CPU time over ${sample} of the bench's messages (${bytes} B each), best of 5 (median):`,
    `  HL7 library  (@medplum/core Hl7Message.parse) ${rate(c.libraryParse.bestUs).padStart(5)} messages/s  ` +
      `${c.libraryParse.bestUs.toFixed(0)} µs (${c.libraryParse.medianUs.toFixed(0)} µs) each`,
    `  parse only   (parseHl7 + classifyMessage) ${rate(c.parseOnly.bestUs).padStart(7)} messages/s  ` +
      `${c.parseOnly.bestUs.toFixed(0)} µs (${c.parseOnly.medianUs.toFixed(0)} µs) each`,
    `  parse + map  (parseHl7 + mapOruR01Lab)    ${rate(c.parseMap.bestUs).padStart(7)} messages/s  ` +
      `${c.parseMap.bestUs.toFixed(0)} µs (${c.parseMap.medianUs.toFixed(0)} µs) each`,
  ];
}

function runLines(r: RunFigures): string[] {
  const l = summarize(r.load.latenciesMs);
  const secs = r.load.wallMs / 1000;
  const perMsg = (cpuMs: number) => `${((cpuMs * 1000) / Math.max(1, r.load.accepted)).toFixed(0)} µs/AA`;
  const failures = Object.entries(r.load.failures);
  const cores = (cpuMs: number) => (cpuMs / r.load.wallMs).toFixed(2);
  const hubCpu =
    r.mode === 'inline' && r.sharedProcess
      ? `hub + load generator ${cores(r.hubCpuMs)} cores (${perMsg(r.hubCpuMs)})`
      : `hub ${cores(r.hubCpuMs)} cores (${perMsg(r.hubCpuMs)}) · load generator ${cores(r.load.cpuMs)} cores`;
  return [
    `run ${r.load.tag}: load generator ${r.mode === 'process' ? 'in its own process' : "in the hub's process"}, ` +
      `${connections} connections, ${secs.toFixed(1)} s`,
    `  sent ${int(r.load.sent)}  AA ${int(r.load.accepted)}  failures ${failures.length ? failures.map(([k, v]) => `${k} ×${v}`).join(', ') : 0}`,
    `  acknowledged ${int(r.perSecond)} messages/s`,
    `  ACK latency ms: p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (mean ${ms(l.mean)})`,
    `  CPU: ${hubCpu} · PostgreSQL ${r.pgCpuMs === undefined ? '?' : `${cores(r.pgCpuMs)} cores (${perMsg(r.pgCpuMs)})`}`,
    `  projector applied ${int(r.projected)} events during the run (${int(r.projected / secs)}/s)`,
    `  load average before ${la(r.loadBefore)} · after ${la(r.loadAfter)}`,
    `  CPU per AA: ${cpuPerAaLine(r)}`,
  ];
}

/** The round's CPU per AA, and the rate the machine's cores would give at that CPU were nothing
 * else running (intake, PostgreSQL and load generator together). */
function cpuPerAaLine(r: RunFigures): string {
  const per = (cpuMs: number) => (cpuMs * 1000) / Math.max(1, r.load.accepted);
  const hub = r.sharedProcess ? per(r.hubCpuMs) : per(r.hubCpuMs) + per(r.load.cpuMs);
  const pg = r.pgCpuMs === undefined ? undefined : per(r.pgCpuMs);
  const parts =
    `intake ${per(r.hubCpuMs).toFixed(0)} µs + PostgreSQL ${pg === undefined ? '?' : pg.toFixed(0)} µs` +
    (r.sharedProcess ? '' : ` + load generator ${per(r.load.cpuMs).toFixed(0)} µs`);
  if (pg === undefined) return parts;
  const total = hub + pg;
  return `${parts} = ${total.toFixed(0)} µs: ${cpus().length} cores would give ${int((cpus().length * 1e6) / total)}/s`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'yilian-bench-intake-'));
  chmodSync(dir, 0o755); // run as root, PostgreSQL runs as an unprivileged user
  const pgDir = join(dir, 'pg');
  const externalDb = `bench_intake_${process.pid}_${Date.now()}`;
  let pg: RunningPostgres | undefined;
  let hub: BenchTarget | undefined;
  let child: LoadChild | undefined;
  let cleaning = false;
  let removed = false;
  const cleanup = async () => {
    if (cleaning) return;
    cleaning = true;
    // Work cut short (a signal, the deadline) may fail as its connections go: that is expected.
    process.on('uncaughtException', (e) => console.error(`bench:intake: while stopping: ${e.message}`));
    child?.kill();
    const bounded = <T>(what: string, p: Promise<T> | undefined) =>
      Promise.race([
        p?.catch((e: unknown) => console.error(`bench:intake: ${what} failed: ${(e as Error).message}`)),
        new Promise((r) =>
          setTimeout(() => r(console.error(`bench:intake: ${what} took over 60 s`)), 60_000).unref(),
        ),
      ]);
    await bounded('stopping the hub', hub?.stop());
    // pg's Pool.end() resolves before its connections are closed; PostgreSQL stopping under an
    // idle one would make it emit an error on a pool with no listener (the hub's read pool).
    if (pg && hub) await bounded('waiting for the hub to disconnect', disconnected(pg.url));
    await bounded('stopping PostgreSQL', pg?.stop());
    if (externalUrl) await bounded('dropping the bench database', dropDatabase(externalUrl, externalDb));
    rmSync(dir, { recursive: true, force: true });
    removed = true;
  };
  // Should this process die another way: no PostgreSQL left running, no data dir left behind.
  process.on('exit', () => {
    if (removed) return;
    child?.kill();
    try {
      process.kill(Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGQUIT');
    } catch {
      // not started, or already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = setTimeout(() => {
    console.error(`bench:intake: over ${timeoutS} s, stopping`);
    void cleanup().finally(() => process.exit(1));
  }, timeoutS * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }

  try {
    const cpu = cpus();
    const loadAtStart = loadavg();
    if (!externalUrl) pg = await startEmbeddedPostgres({ dir: pgDir, persistent: false });
    const serverUrl = externalUrl ?? pg!.url;
    const [settings] = await query(
      serverUrl,
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync,
        current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS wal_sync,
        current_setting('shared_buffers') AS shared_buffers`,
    );
    const lz4 = await query(serverUrl, `SET default_toast_compression = 'lz4'`).then(
      () => 'lz4',
      () => 'no lz4: pglz',
    );
    const where = externalUrl
      ? `external ${new URL(externalUrl).host}, database ${externalDb}`
      : `embedded, fresh, ${pgDir}`;
    console.log(
      `PostgreSQL ${settings!.version} (${where}; synchronous_commit=${settings!.sync}, ` +
        `fsync=${settings!.fsync}, wal_sync_method=${settings!.wal_sync}, shared_buffers=${settings!.shared_buffers}, ` +
        `TOAST compression ${lz4})`,
    );
    console.log(
      `${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · Node ${process.version} · ` +
        `load average ${la(loadAtStart)} (1/5/15 min) at start`,
    );

    // The ceiling, on one core, before the hub runs: the same kind of messages.
    const patients = benchPatients(patientCount);
    const sample = Array.from(
      { length: 2_000 },
      (_, i) => benchMessage('C', i % connections, i, patients).text,
    );
    const bytes = Buffer.byteLength(sample[0]!);
    const ceiling = measureCeiling(sample);
    for (const line of ceilingLines(ceiling, bytes, sample.length)) console.log(line);
    if (withStages) {
      const stages = measureStages(sample);
      const total = stages.reduce((n, s) => n + s.medianUs, 0);
      console.log(
        `the hub's work per message before any I/O, step by step, one core (µs, median of ${sample.length * 4}: ` +
          `a step seldom loses the core midway, so about its CPU; mean in brackets, with GC and preemption; ` +
          `the event is ${int(eventBytes(sample[0]!) / 1024)} KB of JSON):`,
      );
      for (const s of stages) {
        console.log(`  ${s.name.padEnd(38)} ${s.medianUs.toFixed(0).padStart(5)}  (${s.meanUs.toFixed(0)})`);
      }
      console.log(
        `  ${'total'.padEnd(38)} ${total.toFixed(0).padStart(5)}  → ${int(1e6 / total)} messages/s on one core`,
      );
    }

    const institutions = Array.from({ length: institutionCount }, (_, i) => ({
      code: `H${String(i + 1).padStart(3, '0')}`,
      name: `医院 ${i + 1}`,
      apiKeySha256: hashApiKey(`bench-key-${i}-0123456789abcdef`),
      mllpPort: 1 + i,
    }));
    // The hub reaches PostgreSQL over its Unix-domain socket, as `npm start` does (BENCH_TCP=1:
    // over loopback TCP instead).
    const databaseUrl = externalUrl
      ? await ensureDatabase(externalUrl, externalDb)
      : await ensureDatabase(process.env.BENCH_TCP === '1' ? pg!.url : pg!.socketUrl, 'bench_intake');
    const common = {
      institutions: new InstitutionDirectory(institutions),
      patientKeyer: new PatientKeyer('bench-secret-that-is-at-least-32-bytes-long!'),
      host: HOST,
      logger: createLogger('bench-hub', process.env.BENCH_LOG_LEVEL ?? 'error'),
    };
    if (topology === 'hub') {
      const running = await startHub({
        ...common,
        databaseUrl,
        platformClients: `bench:${hashApiKey('bench-platform-key-0123456789abcdef')}`,
        httpPort: 0,
        ...(poolSize ? { poolSize } : {}),
        mllp: { ephemeralPorts: true },
      });
      hub = {
        ...running,
        description: 'hub in this process (intake, in-process projector, platform-api)',
        cpuMs: ownCpuMs,
        projected: () => running.projector.events,
        metrics: () => running.metrics.registry.metrics(),
      };
    } else if (intakeWorkers > 0) {
      const running = await IntakeProcess.start({
        dir,
        databaseUrl,
        workers: intakeWorkers,
        poolSize: poolSize ?? 16,
        host: HOST,
        institutions,
        patientKeySecret: 'bench-secret-that-is-at-least-32-bytes-long!',
      });
      hub = {
        mllpPorts: running.mllpPorts,
        description:
          `intake as deployed (apps/intake/src/main.ts, INTAKE_WORKERS=${intakeWorkers}, ` +
          `INTAKE_POOL_SIZE=${poolSize ?? 16} each) in its own processes, no projector`,
        cpuMs: () => running.cpuMs(),
        projected: () => 0,
        metrics: () => running.metrics(),
        stop: () => running.stop(),
      };
    } else {
      const store = new PostgresEventStore({ connectionString: databaseUrl, poolSize: poolSize ?? 16 });
      await store.migrate();
      const running = await startIntake({
        ...common,
        store,
        httpPort: 0,
        mllp: { host: HOST, ephemeralPorts: true },
      }).catch(async (e: unknown) => {
        await store.close();
        throw e;
      });
      let stopping: Promise<void> | undefined;
      hub = {
        mllpPorts: running.mllpPorts,
        store,
        description: `intake in this process (startIntake, store pool ${store.pool.options.max}), no projector`,
        cpuMs: ownCpuMs,
        projected: () => 0,
        metrics: () => running.metrics.registry.metrics(),
        stop: () => (stopping ??= running.stop().then(() => store.close())),
      };
    }
    const ports = institutions.map((i) => hub!.mllpPorts.get(i.code)!);
    console.log(
      `${hub.description}: ${institutionCount} institutions on MLLP ports ${ports.join(', ')} (${HOST}); ` +
        `${connections} connections, one message in flight on each; ` +
        `${patientCount} patients; ${maxMessages ? `${maxMessages} messages or ` : ''}${seconds} s per run; ` +
        `${rounds} round(s) of ${MODES.join(' then ')}`,
    );
    if (MODES.includes('process')) child = new LoadChild();
    const spec = (tag: string, secs: number, max: number): LoadSpec => ({
      tag,
      host: HOST,
      ports,
      connections,
      seconds: secs,
      maxMessages: max,
      patients: patientCount,
      ackTimeoutMs: 10_000,
    });
    const load = (mode: LoadMode, s: LoadSpec) => (mode === 'process' ? child!.run(s) : runLoad(s));

    // Warm-up: JIT, pools, PostgreSQL caches and plans, with the same traffic.
    const phases: LoadResult[] = [];
    if (warmupSeconds > 0) {
      const warm = await load(MODES[0]!, spec('W', warmupSeconds, 0));
      phases.push(warm);
      const failed = Object.values(warm.failures).reduce((a, b) => a + b, 0);
      console.log(
        `warm-up: ${warmupSeconds} s, ${int(warm.accepted)} AA, ${failed} failures ` +
          `(${int(warm.accepted / (warm.wallMs / 1000))}/s)${failed ? ` ${JSON.stringify(warm.failures)}` : ''}`,
      );
    }

    if ((withSpans || profileFile) && !hub.store) {
      throw new Error(
        'BENCH_SPANS and BENCH_PROFILE need the intake in this process: BENCH_INTAKE_WORKERS=0',
      );
    }
    const spans: Spans | undefined = withSpans ? instrumentHub(hub.store!) : undefined;
    const runs: RunFigures[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const mode of MODES) {
        const tag = `${mode === 'process' ? 'P' : 'I'}${round}`;
        const profiler = profileFile && runs.length === 0 ? new CpuProfiler() : undefined;
        await query(databaseUrl, 'CHECKPOINT');
        await profiler?.start();
        if (spans) {
          spans.reset();
          spans.recording = true;
        }
        const loadBefore = loadavg();
        const projectedBefore = hub.projected();
        const pgBefore = postgresCpuMs(externalDataDir ?? pgDir);
        const cpuBefore = hub.cpuMs();
        const result = await load(mode, spec(tag, seconds, maxMessages));
        const used = hub.cpuMs() - cpuBefore;
        const pgAfter = postgresCpuMs(externalDataDir ?? pgDir);
        const figures: RunFigures = {
          mode,
          round,
          load: result,
          perSecond: result.accepted / (result.wallMs / 1000),
          hubCpuMs: used,
          sharedProcess: mode === 'inline' && hub.cpuMs === ownCpuMs,
          pgCpuMs: pgBefore === undefined || pgAfter === undefined ? undefined : pgAfter - pgBefore,
          loadBefore,
          loadAfter: loadavg(),
          projected: hub.projected() - projectedBefore,
        };
        if (spans) spans.recording = false;
        phases.push(result);
        runs.push(figures);
        console.log('');
        for (const line of runLines(figures)) console.log(line);
        if (spans) {
          console.log('  spans (wall time, hub side):');
          for (const line of spans.report(result.accepted)) console.log(line);
        }
        if (profiler) {
          console.log(`  CPU profile of the hub process during this run: ${profileFile}`);
          for (const line of await profiler.stop(profileFile!)) console.log(line);
        }
      }
    }
    spans?.unwrapAll();

    // Durability: every AA has its event in the store — one LabReportRecorded in the report's own
    // stream — and no message has more than one. (A message whose ACK was lost may be stored
    // without an AA: AA ≤ stored ≤ sent.)
    console.log('');
    const accepted = phases.reduce((n, p) => n + p.accepted, 0);
    const checks: string[] = [];
    let durable = true;
    for (const p of phases) {
      const [row] = await query(
        databaseUrl,
        `SELECT count(*) AS n, count(DISTINCT stream_id) AS streams FROM yl_events
         WHERE stream_id LIKE $1 AND event_type = 'LabReportRecorded'`,
        [streamPatternFor(p.tag)],
      );
      const n = Number(row?.n ?? -1);
      durable &&= n >= p.accepted && n <= p.sent && n === Number(row?.streams);
      checks.push(`${p.tag} ${int(n)}/${int(p.accepted)}`);
    }
    const byType = await query(
      databaseUrl,
      'SELECT event_type AS type, count(*) AS n FROM yl_events GROUP BY event_type ORDER BY count(*) DESC',
    );
    const events = byType.reduce((n, r) => n + Number(r.n), 0);
    console.log(
      `durability: lab report events stored / AA, by run: ${checks.join(', ')}: ${durable ? 'OK' : 'MISMATCH'} · ` +
        `the store holds ${int(events)} events for ${int(accepted)} AA: ` +
        byType.map((r) => `${r.type} ${int(Number(r.n))}`).join(', ') +
        ` (a lab message whose PID-3 has an MRN and a resident ID links them, once per patient and institution)`,
    );
    if (!durable) process.exitCode = 1;
    console.log(`${metricsCheck(await hub.metrics(), accepted)}`);
    if (topology === 'hub') {
      console.log(
        `projector (in-process, same event loop): applied ${int(hub.projected())} of these events by the end, ` +
          `${int(events - hub.projected())} behind`,
      );
    } else if (projectorSeconds > 0) {
      await hub.stop();
      const store = new PostgresEventStore({ connectionString: databaseUrl, poolSize: 4 });
      try {
        const c = await measureProjectorCatchUp(store, databaseUrl, events, projectorSeconds);
        console.log(
          `read models: the projector (every projection, its own process's event loop, intake stopped) applied ` +
            `${int(c.applied)} of the ${int(c.backlog)} events in ${c.seconds.toFixed(1)} s: ` +
            `${int(c.applied / c.seconds)} events/s${c.caughtUp ? ', caught up' : `, stopped after ${projectorSeconds} s`}`,
        );
      } finally {
        await store.close();
      }
    }
    const failed = phases.reduce((n, p) => n + Object.values(p.failures).reduce((a, b) => a + b, 0), 0);
    if (failed > 0) process.exitCode = 1;

    // The headline: the runs with the load generator in its own process, best of the rounds.
    const headlineRuns = runs.filter((r) => r.mode === MODES[0]);
    const best = headlineRuns.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const p99s = headlineRuns.map((r) => summarize(r.load.latenciesMs).p99);
    const rates = headlineRuns.map((r) => r.perSecond);
    const bestL = summarize(best.load.latenciesMs);
    const ceilingPerSecond = 1e6 / ceiling.parseMap.bestUs;
    const ratio = best.perSecond / ceilingPerSecond;
    const met = ratio >= GOAL.ratio && bestL.p99 <= GOAL.p99Ms && failed === 0;
    const floorMet = best.perSecond >= GOAL.floorPerSecond && bestL.p99 <= GOAL.p99Ms && failed === 0;
    console.log(
      `\nHEADLINE (load generator ${MODES[0] === 'process' ? 'in its own process' : "in the hub's process"}` +
        `${rounds > 1 ? `, best of ${rounds} rounds` : ''}): ${int(best.perSecond)} messages/s acknowledged ` +
        `(AA after durable append), ACK p50 ${ms(bestL.p50)} ms, p99 ${ms(bestL.p99)} ms, max ${ms(bestL.max)} ms; ` +
        `${failed} failures`,
    );
    if (rounds > 1) {
      console.log(
        `  spread over rounds: ${int(Math.min(...rates))}–${int(Math.max(...rates))} messages/s, ` +
          `p99 ${ms(Math.min(...p99s))}–${ms(Math.max(...p99s))} ms`,
      );
    }
    console.log(
      `  CPU per AA in that round: ${cpuPerAaLine(best)} (other jobs on the machine slow the ` +
        `rate more than they raise the CPU a message takes; but at low rates batches shrink, and it rises too)`,
    );
    console.log(
      `GOAL (issue 16): acknowledged/s ≥ ${GOAL.ratio.toFixed(2)} × the one-core parse+map ceiling, p99 ≤ ${GOAL.p99Ms} ms: ` +
        `${int(best.perSecond)} / ${int(ceilingPerSecond)} = ratio ${ratio.toFixed(3)} ` +
        `(goal ${int(GOAL.ratio * ceilingPerSecond)}/s), p99 ${ms(bestL.p99)} ms: ${met ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `  floor (results issue, absolute): ≥ ${int(GOAL.floorPerSecond)} messages/s with p99 ≤ ${GOAL.p99Ms} ms: ` +
        `${floorMet ? 'MET' : 'NOT MET'} · ceiling: HL7 library parse ${int(1e6 / ceiling.libraryParse.bestUs)}/s, ` +
        `hub parse ${int(1e6 / ceiling.parseOnly.bestUs)}/s, parse+map ${int(ceilingPerSecond)}/s ` +
        `on one core · load average now ${la(loadavg())} · ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    );
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
