/* The fault matrix on the cluster of `npm run start:cluster` (scripts/cluster): under sustained
 * HL7 v2 load over MLLP from senders that resend what was not acknowledged, one fault at a
 * time — kill -9 of an intake, of the relay, of a projector; the Kafka broker killed and
 * started again on its log dir; PostgreSQL restarted — and after each, what was acknowledged,
 * stored and projected, counted. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { Cluster } from '../../scripts/cluster/cluster';
import { Senders, sleep } from './senders';

export interface Fault {
  readonly name: string;
  /** Breaks something and repairs it as an orchestrator would (restart at once); resolves once
   * the broken part serves again. */
  inject(cluster: Cluster): Promise<void>;
}

const SLOW_FSYNC_MS = 150;
const SLOW_FOR_MS = 10_000;
let slowDiskFile: string | undefined;

export const FAULTS: readonly Fault[] = [
  { name: 'none (baseline)', inject: async () => undefined },
  { name: 'kill -9 intake', inject: (c) => restart(c, 'intake') },
  { name: 'kill -9 relay', inject: (c) => restart(c, 'relay') },
  { name: 'kill -9 projector-1', inject: (c) => restart(c, 'projector-1') },
  {
    name: 'kill -9 Kafka, restart on its log',
    inject: async (c) => {
      await c.killKafka();
      await c.startKafka();
    },
  },
  { name: 'PostgreSQL restart', inject: (c) => c.restartPostgres() },
  {
    name: `PostgreSQL slow disk (each fsync +${SLOW_FSYNC_MS} ms for ${SLOW_FOR_MS / 1000} s)`,
    inject: async (c) => {
      if (!slowDiskFile)
        throw new Error('slow disk: the shim is not loaded (call prepareSlowDisk before the cluster starts)');
      // how much the store still takes while slow, beside the same time before it
      const admin = new Pool({ connectionString: c.storeUrl, max: 1 });
      const stored = async () =>
        Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM yl_events')).rows[0]!.n);
      try {
        const before = await stored();
        await sleep(SLOW_FOR_MS / 2);
        const fast = (await stored()) - before;
        writeFileSync(slowDiskFile, String(SLOW_FSYNC_MS));
        const slowFrom = await stored();
        try {
          await sleep(SLOW_FOR_MS);
        } finally {
          writeFileSync(slowDiskFile, '0');
        }
        const slow = (await stored()) - slowFrom;
        console.log(
          `slow disk: ${((fast * 2000) / SLOW_FOR_MS).toFixed(0)} events/s stored before, ${((slow * 1000) / SLOW_FOR_MS).toFixed(0)}/s while every fsync took ${SLOW_FSYNC_MS} ms longer`,
        );
      } finally {
        await admin.end();
      }
    },
  },
];

/** The slow-disk fault's shim (slow-disk.c), built with the machine's C compiler into a folder
 * the postgres user can read, and set in this process's environment (LD_PRELOAD) so every
 * process of the cluster started afterwards loads it; it acts only in PostgreSQL's processes,
 * and only while the fault writes a delay into its control file. Call before `Cluster.start`. */
export function prepareSlowDisk(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'yl-slow-disk-'));
  chmodSync(dir, 0o755);
  const lib = join(dir, 'slow-disk.so');
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', lib, join(__dirname, 'slow-disk.c'), '-ldl']);
  } catch (e) {
    throw new Error(
      `slow disk: building its LD_PRELOAD shim needs a C compiler (cc): ${(e as Error).message}`,
    );
  }
  slowDiskFile = join(dir, 'fsync-delay-ms');
  writeFileSync(slowDiskFile, '0');
  chmodSync(slowDiskFile, 0o644);
  process.env.LD_PRELOAD = [lib, process.env.LD_PRELOAD].filter(Boolean).join(' ');
  process.env.YL_SLOW_DISK_FILE = slowDiskFile;
  return () => rmSync(dir, { recursive: true, force: true });
}

/** The store's disk fills up: yl_events moved to a tablespace on a tmpfs with a few MB free;
 * once it is full (appends fail: the intake answers AR) the tmpfs is grown, as an operator
 * adds disk. Needs root (mount); `cleanupDiskFull` unmounts it after the cluster stopped. */
export const DISK_FULL: Fault = {
  name: 'PostgreSQL disk full (tablespace on a tmpfs), then grown',
  inject: async (c) => {
    const dir = join(tmpdir(), `yl-tablespace-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const admin = new Pool({ connectionString: c.storeUrl, max: 1 });
    try {
      const { rows } = await admin.query<{ bytes: string }>(`SELECT pg_table_size('yl_events') AS bytes`);
      // the table and its TOAST move there (its indexes stay): 1–2 MB left free
      const size = Math.ceil(Number(rows[0]!.bytes) / 1048576) + 1;
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}m,mode=0700`, 'tmpfs', dir]);
      mounted.push(dir);
      execFileSync('chown', ['postgres:postgres', dir]);
      await admin.query(`CREATE TABLESPACE yl_small LOCATION '${dir}'`);
      await admin.query('ALTER TABLE yl_events SET TABLESPACE yl_small');
      const deadline = Date.now() + 60_000;
      while (statfsSync(dir).bavail > 16 && Date.now() < deadline) await sleep(100);
      await sleep(2_000); // full for a while: every append meanwhile is refused
      execFileSync('mount', ['-o', `remount,size=${size + 512}m`, dir]);
    } finally {
      await admin.end();
    }
  },
};

const mounted: string[] = [];

export function cleanupDiskFull(): void {
  for (const dir of mounted.splice(0)) execFileSync('umount', ['-l', dir]);
}

async function restart(cluster: Cluster, name: string): Promise<void> {
  const p = cluster.process(name);
  await p.kill();
  await p.start();
}

export interface FaultRow {
  readonly fault: string;
  readonly acknowledged: number;
  /** Acknowledged messages whose report is in the store (each stream counted once). */
  readonly stored: number;
  readonly projected: number;
  /** Events or read-model rows beyond one per acknowledged message. */
  readonly duplicates: number;
  /** Acknowledged but missing from the store or the read models. */
  readonly lost: number;
  /** Fault injected → the broken part serves again. */
  readonly restartMs: number;
  /** Fault injected → everything acknowledged until the part served again is queryable. */
  readonly recoveryMs: number;
  /** Sends that were answered otherwise than AA, or failed, and were sent again, by kind. */
  readonly resends: Record<string, number>;
}

export interface MatrixOptions {
  readonly rate: number;
  /** Load before the fault, ms. */
  readonly warmMs: number;
  /** Load after recovery, ms. */
  readonly afterMs: number;
  readonly faults?: readonly Fault[];
  readonly log?: (line: string) => void;
}

export async function runFaultMatrix(cluster: Cluster, o: MatrixOptions): Promise<FaultRow[]> {
  const ports = cluster.intakes.flatMap((i) => Object.values(i.mllp));
  const rows: FaultRow[] = [];
  const store = new Pool({ connectionString: cluster.storeUrl, max: 2 });
  const read = new Pool({ connectionString: cluster.readUrl, max: 2 });
  // a pool error while PostgreSQL restarts is expected; the queries below retry
  store.on('error', () => undefined);
  read.on('error', () => undefined);
  try {
    for (const [n, fault] of (o.faults ?? FAULTS).entries()) {
      const tag = `F${n}T${Date.now().toString(36)}`;
      const senders = new Senders(ports.map((port) => ({ port, rate: o.rate / ports.length })));
      senders.start(tag);
      await sleep(o.warmMs);
      const t0 = Date.now();
      await fault.inject(cluster);
      const restartMs = Date.now() - t0;
      const due = [...senders.acked];
      await until(
        async () =>
          (await projectedStreams(read, tag)).size >= due.length &&
          covers(await projectedStreams(read, tag), due),
      );
      const recoveryMs = Date.now() - t0;
      await sleep(o.afterMs);
      await senders.stop();
      const acked = [...senders.acked];
      await until(async () => covers(await projectedStreams(read, tag), acked), 120_000);
      const stored = await retrying(() =>
        store.query<{ stream_id: string; n: string }>(
          `SELECT stream_id, count(*) AS n FROM yl_events WHERE stream_id LIKE $1 GROUP BY stream_id`,
          [`labreport-%-A${tag}-%`],
        ),
      );
      const storedStreams = new Map(stored.rows.map((r) => [controlIdOf(r.stream_id, tag), Number(r.n)]));
      const versions = await retrying(() =>
        read.query<{ stream: string; n: string }>(
          // the current version and those it superseded
          `SELECT r.stream, 1 + count(v.*) AS n FROM rm_lab_reports r LEFT JOIN rm_lab_report_versions v ON v.id = r.id
            WHERE r.stream LIKE $1 GROUP BY r.stream`,
          [`labreport-%-A${tag}-%`],
        ),
      );
      const projected = new Map(versions.rows.map((r) => [controlIdOf(r.stream, tag), Number(r.n)]));
      const ackedSet = new Set(acked);
      // a message a sender gave up on (never AA) may be stored: neither acknowledged nor a duplicate
      const extra = (m: Map<string, number>) =>
        [...m].reduce(
          (d, [id, count]) => d + (count - 1) + (ackedSet.has(id) || senders.givenUp.has(id) ? 0 : 1),
          0,
        );
      const row: FaultRow = {
        fault: fault.name,
        acknowledged: acked.length,
        stored: acked.filter((id) => storedStreams.has(id)).length,
        projected: acked.filter((id) => projected.has(id)).length,
        // a stream with more than one event, or an event for a message never acknowledged
        // (possible only if a sender gave up, which these never do), counts as a duplicate
        duplicates: extra(storedStreams) + extra(projected),
        lost: acked.filter((id) => !storedStreams.has(id) || !projected.has(id)).length,
        restartMs,
        recoveryMs,
        resends: senders.retries,
      };
      o.log?.(formatRow(row));
      rows.push(row);
    }
  } finally {
    await store.end();
    await read.end();
  }
  return rows;
}

/** The control id from a lab report stream id: labreport-<institution>-A<control id>. */
function controlIdOf(stream: string, tag: string): string {
  return stream.slice(stream.indexOf(`-A${tag}-`) + 2);
}

async function projectedStreams(read: Pool, tag: string): Promise<Set<string>> {
  const { rows } = await read.query<{ stream: string }>(
    `SELECT stream FROM rm_lab_reports WHERE stream LIKE $1`,
    [`labreport-%-A${tag}-%`],
  );
  return new Set(rows.map((r) => controlIdOf(r.stream, tag)));
}

function covers(have: Set<string>, want: readonly string[]): boolean {
  return want.every((id) => have.has(id));
}

async function until(ok: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ok()) return;
    } catch {
      // the database restarting: try again
    }
    if (Date.now() > deadline) throw new Error(`not caught up after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function retrying<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query();
    } catch (e) {
      if (attempt >= 50) throw e;
      await sleep(200);
    }
  }
}

export const TABLE_HEADER =
  '| fault | acknowledged | stored | projected | duplicates | lost | restart s | recovery s | resends |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |';

export function formatRow(r: FaultRow): string {
  const resends = Object.entries(r.resends)
    .map(([k, v]) => `${v} × ${k}`)
    .join('; ');
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return `| ${r.fault} | ${r.acknowledged} | ${r.stored} | ${r.projected} | ${r.duplicates} | ${r.lost} | ${s(r.restartMs)} | ${s(r.recoveryMs)} | ${resends || '—'} |`;
}
