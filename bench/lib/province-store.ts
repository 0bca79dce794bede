/*
 * The province-sized store of bench:replay and bench:query: the workload of
 * bench/recognition-workload.ts (lab reports through the intake's mapper and decider, imaging
 * studies, corrections, MRN → resident-ID links, the recognition rules) appended through the
 * store's group commit into its own embedded PostgreSQL, kept in a directory (`--keep DIR`) so a
 * later run — of either bench — measures it again without building it. Also the read models of
 * ALL_PROJECTIONS built from it by the rebuild's path, and the small helpers both benches print
 * with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import {
  formatPosition,
  type GlobalPosition,
  imagingStream,
  labReportStream,
  parsePosition,
  type RecordedEvent,
} from '@yilian/contracts';
import { type EventStore, PostgresEventStore } from '@yilian/event-store';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, type Projection, ProjectionRunner } from '@yilian/projections';
import { startEmbeddedPostgres } from '@yilian/testing';
import {
  type Append,
  checkFastPath,
  imagingEvent,
  initialRules,
  labEvents,
  midRunRules,
  plan,
} from '../recognition-workload';
import { serverCpuMs } from './server-cpu';

// ---- printing and flags ----------------------------------------------------------------------

export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const t0 = performance.now();
export const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
export const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `--name N` or `--name=N`, an integer ≥ min. */
export function flag(name: string, fallback: number, min: number): number {
  const raw = textFlag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

export function textFlag(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(argv[i]!.indexOf('=') + 1) : argv[i + 1];
}

/** CPU of this process and of the PostgreSQL server since `cpuSince()`, per operation, in µs. */
export function cpuSince(pgDir: string) {
  const node = process.cpuUsage();
  const server = serverCpuMs(pgDir);
  const start = performance.now();
  return (ops: number) => {
    const used = process.cpuUsage(node);
    const serverTo = serverCpuMs(pgDir);
    return {
      seconds: (performance.now() - start) / 1000,
      nodeUsPerOp: (used.user + used.system) / ops,
      pgUsPerOp:
        server !== undefined && serverTo !== undefined ? ((serverTo - server) * 1000) / ops : undefined,
    };
  };
}

// ---- the store -------------------------------------------------------------------------------

export interface ProvinceOptions {
  /** Names the scratch directory (`.tmp/bench-<name>-<pid>`) when not kept. */
  readonly bench: string;
  /** `--keep DIR`: the database stays in DIR; a later run with the same DIR reuses it. */
  readonly keep?: string;
  readonly events: number;
  readonly patients: number;
  readonly samples?: number;
  readonly resultsPerSample?: number;
}

/** What a kept directory remembers of its store (`province-store.json`). */
export interface ProvinceMarker {
  readonly secret: string;
  readonly midMoment: string;
  readonly samples: number[];
  readonly storeEvents: number;
  readonly patients: number;
  /** The read database holds ALL_PROJECTIONS built from the whole store (these names). */
  readonly readModels?: {
    readonly projections: string[];
    /** Events of the log applied, up to `position` (formatPosition). */
    readonly events: number;
    readonly position?: string;
    readonly complete: boolean;
    readonly at: string;
  };
}

export interface ProvinceStore {
  readonly dir: string;
  readonly pgDir: string;
  readonly adminUrl: string;
  readonly storeUrl: string;
  readonly readUrl: string;
  readonly keyer: PatientKeyer;
  readonly marker: ProvinceMarker;
  /** Built in this run (false: reused from `--keep`). */
  readonly built: boolean;
  readonly store: PostgresEventStore;
  remember(marker: ProvinceMarker): void;
  stop(): Promise<void>;
}

export const STORE_DB = 'yilian_store';
export const READ_DB = 'yilian_read';
const CHUNK = 2000; // appends submitted together; the store sends them ≤ 100 per call

export async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function dbUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Starts the embedded PostgreSQL of `o.keep` (or a scratch one) and builds the store unless
 * the directory already holds one. */
export async function openProvinceStore(o: ProvinceOptions): Promise<ProvinceStore> {
  const dir = o.keep
    ? resolve(o.keep)
    : join(__dirname, '..', '..', '.tmp', `bench-${o.bench}-${process.pid}`);
  const pgDir = join(dir, 'pg');
  const markerFile = join(dir, 'province-store.json');
  const kept =
    o.keep && existsSync(markerFile)
      ? (JSON.parse(readFileSync(markerFile, 'utf8')) as ProvinceMarker)
      : undefined;
  const pg = await startEmbeddedPostgres({ dir: pgDir, persistent: o.keep !== undefined });
  const storeUrl = dbUrl(pg.url, STORE_DB);
  const readUrl = dbUrl(pg.url, READ_DB);
  let store: PostgresEventStore | undefined;
  const stop = async () => {
    await store?.close().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!kept) {
      await sql(pg.url, `DROP DATABASE IF EXISTS ${STORE_DB} WITH (FORCE)`);
      await sql(pg.url, `DROP DATABASE IF EXISTS ${READ_DB} WITH (FORCE)`);
      await sql(pg.url, `CREATE DATABASE ${STORE_DB}`);
      await sql(pg.url, `CREATE DATABASE ${READ_DB}`);
    }
    log(`PostgreSQL on 127.0.0.1:${pg.port} (${pgDir})${kept ? ', store kept from an earlier run' : ''}`);
    store = new PostgresEventStore({ connectionString: storeUrl, poolSize: 4, maxBatchAppends: 100 });
    await store.migrate();
    const marker = kept ?? (await build(store, pgDir, o));
    const remember = (m: ProvinceMarker) => {
      if (o.keep) writeFileSync(markerFile, JSON.stringify(m));
    };
    if (!kept) remember(marker);
    return {
      dir,
      pgDir,
      adminUrl: pg.url,
      storeUrl,
      readUrl,
      keyer: new PatientKeyer(Buffer.from(marker.secret, 'hex')),
      marker,
      built: !kept,
      store,
      remember,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Plans the workload and appends it, as bench:recognition does (the rules, then the results in
 * time order with their corrections and links, a catalogue amendment and a revocation after the
 * middle moment). */
async function build(store: PostgresEventStore, pgDir: string, o: ProvinceOptions): Promise<ProvinceMarker> {
  const from = Date.UTC(2026, 5, 1); // 2026-06-01 … now
  const to = Date.now() - 3600_000;
  const options = {
    events: o.events,
    patients: o.patients,
    samples: o.samples ?? 200,
    resultsPerSample: o.resultsPerSample ?? 50,
    from,
    to,
  };
  let workload = plan(options);
  const count = (p: typeof workload) =>
    p.results.length + p.corrected.size + p.links + initialRules().length + midRunRules().length;
  if (count(workload) < o.events)
    workload = plan({ ...options, linksPerResult: workload.links / workload.results.length + 0.01 });
  const { results, corrected, samples } = workload;
  const imaging = results.filter((r) => r.kind < 0).length;
  log(
    `planned ${fmt(count(workload))} events: ${fmt(results.length - imaging)} lab reports, ${fmt(imaging)} imaging studies, ` +
      `${fmt(corrected.size)} corrections, ${fmt(workload.links)} patient links, ${initialRules().length + midRunRules().length} rule events ` +
      `(≈ ${fmt(count(workload) / 1500 / 60)} min to append at the 1,500–1,750 events/s of a loaded machine)`,
  );
  const secret = randomBytes(32);
  const keyer = new PatientKeyer(Buffer.from(secret));
  const checked = checkFastPath(keyer, results, 1000);
  log(
    `lab events from templates checked equal, byte for byte, to the full ORU^R01 → mapOruR01Lab path: ${checked}`,
  );
  for (const a of initialRules()) await store.append(a.stream, a.events, a.expected);
  const cpu = cpuSince(pgDir);
  let appended = 0;
  let pending: Promise<unknown> = Promise.resolve();
  let due: Append[] = []; // corrections of the previous chunk's reports
  const linked = new Set<string>();
  let midMoment: Date | undefined;
  let midRules = false;
  let lastReport = 0;
  const started = performance.now();
  for (let i = 0; i < results.length; i += CHUNK) {
    const appends: Append[] = due;
    due = [];
    for (let j = i; j < Math.min(results.length, i + CHUNK); j++) {
      const r = results[j]!;
      if (r.kind < 0) {
        appends.push({
          stream: imagingStream(r.institution, r.accession),
          events: [imagingEvent(keyer, r)],
          expected: 'no_stream',
        });
        continue;
      }
      const { report, link } = labEvents(keyer, r, 0);
      if (link && !linked.has(link.stream)) {
        linked.add(link.stream);
        appends.push({ stream: link.stream, events: [link.event], expected: 'no_stream' });
      }
      const stream = labReportStream(r.institution, r.accession);
      appends.push({ stream, events: [report], expected: 'no_stream' });
      if (corrected.has(j)) due.push({ stream, events: [labEvents(keyer, r, 1).report], expected: 0n });
    }
    await pending;
    if (!midMoment && i >= results.length / 2) midMoment = new Date();
    if (!midRules && i >= results.length * 0.6) {
      midRules = true;
      for (const a of midRunRules()) await store.append(a.stream, a.events, a.expected);
      appended += midRunRules().length;
    }
    pending = Promise.all(appends.map((a) => store.append(a.stream, a.events, a.expected)));
    appended += appends.reduce((n, a) => n + a.events.length, 0);
    if (appended - lastReport >= 100_000) {
      lastReport = appended;
      const rate = appended / ((performance.now() - started) / 1000);
      log(
        `appended ${fmt(appended)} events · ${fmt(rate)} events/s · ≈ ${fmt((count(workload) - appended) / rate / 60, 1)} min left · load ${load()}`,
      );
    }
  }
  await pending;
  if (due.length > 0) {
    await Promise.all(due.map((a) => store.append(a.stream, a.events, a.expected)));
    appended += due.length;
  }
  const c = cpu(appended);
  const { rows } = await store.pool.query<{ n: string; size: string }>(
    `SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('yl_events')) AS size FROM yl_events`,
  );
  const storeEvents = Number(rows[0]!.n);
  const patients = new Set(results.map((r) => r.patient)).size;
  log(
    `store: ${fmt(storeEvents)} events (${rows[0]!.size}) for ${fmt(patients)} patients · append ${c.seconds.toFixed(1)} s = ` +
      `${fmt(appended / c.seconds)} events/s (generation included; ${fmt(c.nodeUsPerOp)} µs CPU/event in Node, ` +
      `${c.pgUsPerOp !== undefined ? fmt(c.pgUsPerOp) : '?'} µs in PostgreSQL)`,
  );
  await store.pool.query('VACUUM ANALYZE yl_events');
  return {
    secret: secret.toString('hex'),
    midMoment: (midMoment ?? new Date()).toISOString(),
    samples: [...samples],
    storeEvents,
    patients,
  };
}

// ---- reading and projecting it ---------------------------------------------------------------

export const PAGE = 1000; // readAll page = one applyBatch transaction, as the rebuild does

export interface PassFigures {
  readonly events: number;
  readonly seconds: number;
  readonly nodeUsPerEvent: number;
  readonly pgUsPerEvent: number | undefined;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

function figures(
  events: number,
  c: ReturnType<ReturnType<typeof cpuSince>>,
  loadBefore: string,
): PassFigures {
  return {
    events,
    seconds: c.seconds,
    nodeUsPerEvent: c.nodeUsPerOp,
    pgUsPerEvent: c.pgUsPerOp,
    loadBefore,
    loadAfter: load(),
  };
}

/** The store's `readAll`, counted: progress (rate, time left) every 100,000 events. */
export function countedReads(store: Pick<EventStore, 'readAll'>, total: number, what: string) {
  let done = 0;
  let lastReport = 0;
  const started = performance.now();
  return {
    get done() {
      return done;
    },
    readAll: async (o: Parameters<EventStore['readAll']>[0]): Promise<RecordedEvent[]> => {
      const batch = await store.readAll(o);
      done += batch.length;
      if (done - lastReport >= 100_000) {
        lastReport = done;
        const rate = done / ((performance.now() - started) / 1000);
        log(
          `${what} ${fmt(done)} / ${fmt(total)} events · ${fmt(rate)} events/s · ≈ ${fmt((total - done) / rate / 60, 1)} min left · load ${load()}`,
        );
      }
      return batch;
    },
  };
}

/** (a) Raw read of the whole log: `readAll` pages of PAGE, one after the other, nothing done
 * with them — the rebuild's reads without its writes. */
export async function readWholeLog(p: ProvinceStore, total: number): Promise<PassFigures> {
  const loadBefore = load();
  const reads = countedReads(p.store, total, 'read');
  const cpu = cpuSince(p.pgDir);
  let after: RecordedEvent['position'] | undefined;
  for (;;) {
    const batch = await reads.readAll({ ...(after ? { after } : {}), maxCount: PAGE });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.position;
  }
  return figures(reads.done, cpu(reads.done), loadBefore);
}

/** The rebuild's loop: the CLI `rebuild`'s own (`catchUp` of apps/cli/src/read-model-swap.ts),
 * `applyBatch` per `readAll` page until the log's committed prefix is exhausted. */
export type CatchUp = (
  store: Pick<EventStore, 'readAll'>,
  runner: ProjectionRunner,
  after: GlobalPosition | undefined,
) => Promise<{ events: number; after?: GlobalPosition | undefined }>;

export interface RebuildFigures extends PassFigures {
  /** Events in the read models at the end (more than `events` when resumed). */
  readonly projected: number;
  readonly complete: boolean;
  readonly tables: { table: string; rows: number; size: string }[];
}

/**
 * (b) Every read model (ALL_PROJECTIONS) rebuilt from position 0 into a fresh read database
 * (dropped and created) by the rebuild's path; then VACUUM ANALYZE (not timed) and the rows of
 * each table. The marker remembers how far the read database holds the log (every 50,000
 * events), so that `resume` goes on from there instead of from 0. `budgetS`: stop after the page
 * that passes it (then `complete` is false and the rate is over the events done).
 */
export async function rebuildReadModels(
  p: ProvinceStore,
  total: number,
  catchUp: CatchUp,
  o: {
    readonly budgetS?: number;
    readonly resume?: boolean;
    readonly projections?: readonly Projection[];
  } = {},
): Promise<RebuildFigures> {
  const projections = o.projections ?? ALL_PROJECTIONS;
  const names = projections.map((x) => x.name);
  const prior = p.marker.readModels;
  const resume =
    o.resume && prior?.position !== undefined && names.every((n) => prior.projections.includes(n))
      ? { after: parsePosition(prior.position), events: prior.events }
      : undefined;
  const { readModels: _previous, ...storeOnly } = p.marker;
  const progress = (events: number, position: GlobalPosition | undefined, complete: boolean) =>
    p.remember({
      ...storeOnly,
      readModels: {
        projections: names,
        events,
        ...(position ? { position: formatPosition(position) } : {}),
        complete,
        at: new Date().toISOString(),
      },
    });
  if (resume) log(`resuming the read models after ${fmt(resume.events)} events`);
  else {
    p.remember(storeOnly); // being rebuilt: holds nothing until the first progress mark
    await sql(p.adminUrl, `DROP DATABASE IF EXISTS ${READ_DB} WITH (FORCE)`);
    await sql(p.adminUrl, `CREATE DATABASE ${READ_DB}`);
  }
  const pool = new Pool({ connectionString: p.readUrl, max: 2 });
  pool.on('error', () => undefined);
  try {
    const runner = new ProjectionRunner(pool, projections);
    await runner.migrate();
    const loadBefore = load();
    const before = resume?.events ?? 0;
    const reads = countedReads(p.store, total - before, 'rebuilt');
    const stopAt = o.budgetS !== undefined ? performance.now() + o.budgetS * 1000 : Infinity;
    let stopped = false;
    let marked = 0;
    let last: GlobalPosition | undefined = resume?.after;
    let asked: GlobalPosition | undefined;
    const bounded: Pick<EventStore, 'readAll'> = {
      readAll: async (q) => {
        // the replay may read a page ahead of the one it applies: all up to the position asked
        // for before this one is in (resuming a page early is safe: applied events are skipped)
        if (q?.after) {
          last = asked ?? last;
          asked = q.after;
        }
        if (reads.done - marked >= 50_000) {
          marked = reads.done;
          progress(before + reads.done, last, false);
        }
        if (performance.now() > stopAt) {
          stopped = true;
          return [];
        }
        return reads.readAll(q);
      },
    };
    const cpu = cpuSince(p.pgDir);
    const { events, after } = await catchUp(bounded, runner, resume?.after);
    const f = figures(events, cpu(events), loadBefore);
    const { rows: inLog } = await p.store.pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM yl_events',
    );
    const complete = !stopped && before + events >= Number(inLog[0]!.n);
    if (stopped)
      log(`rebuild stopped at its budget of ${o.budgetS} s: ${fmt(before + events)} of ${fmt(total)} events`);
    await pool.query('VACUUM ANALYZE');
    const { rows } = await pool.query<{ table: string; rows: string; size: string }>(
      `SELECT c.relname AS table, greatest(c.reltuples, 0)::bigint::text AS rows,
              pg_size_pretty(pg_total_relation_size(c.oid)) AS size
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC`,
    );
    progress(before + events, after ?? last, complete);
    return {
      ...f,
      projected: before + events,
      complete,
      tables: rows.map((r) => ({ table: r.table, rows: Number(r.rows), size: r.size })),
    };
  } finally {
    await pool.end();
  }
}

/** Whether the kept read database holds every projection of today's ALL_PROJECTIONS. */
export function readModelsComplete(marker: ProvinceMarker): boolean {
  const names = new Set(marker.readModels?.projections ?? []);
  return marker.readModels?.complete === true && ALL_PROJECTIONS.every((x) => names.has(x.name));
}
