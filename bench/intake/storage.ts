/*
 * node -r @swc-node/register bench/intake/storage.ts — what PostgreSQL spends per lab report
 * on each way of storing its text, A/B in one sitting.
 *
 * One fresh embedded PostgreSQL, one database per variant (the event store's own schema, then
 * the variant's ALTER). The events are the intake's own (bench/intake/lab-event.ts: the bench's
 * ORU^R01 through parse, map, normalise, decide; ≈15 KB of JSON each), each appended to a
 * stream of its own as the intake appends it (`no_stream`, through `PostgresEventStore` and its
 * group commit), by BENCH_WRITERS concurrent writers (8: one intake worker's share of the
 * bench's 16 connections). Rounds alternate the variants' order (A B C, C B A, …) so that
 * load from other processes on the machine falls on all alike; a CHECKPOINT precedes each.
 * Printed per variant: PostgreSQL's CPU per event (the whole server: nothing else uses it),
 * this process's (serialising and sending, the same work in every variant), WAL bytes per
 * event, and what the table and its TOAST table and indexes take per event at the end.
 *
 * Env: BENCH_EVENTS (per variant and round, 3000), BENCH_WRITERS (8; several, comma-separated, run each variant with each), BENCH_ROUNDS (3),
 * BENCH_VARIANTS (comma-separated names of VARIANTS below; all by default), BENCH_PROFILE (a
 * .cpuprofile file: profiles this process, the store's client side, over the rounds).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { NewEvent } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { startEmbeddedPostgres } from '@yilian/runtime';
import { ensureDatabase } from '../../apps/hub/src/embedded';
import { labEventOf } from './lab-event';
import { CpuProfiler } from './profile';
import { postgresCpuMs } from './server-cpu';
import { int } from './stats';
import { benchMessage, benchPatients } from './workload';

/** What a leaner lab event would carry — not a contract, a measurement: each Observation without
 * what it repeats of the report or of every other result (subject, performer, issued, category,
 * effective time), as a v2 event stating them once, with an upcaster restoring them, would. */
function lean(data: unknown): unknown {
  const d = data as { observations?: Record<string, unknown>[] };
  const drop = new Set(['subject', 'performer', 'issued', 'category', 'effectiveDateTime']);
  return {
    ...d,
    observations: d.observations?.map((o) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => !drop.has(k))),
    ),
  };
}

/** How the event texts are stored: the ALTER run after the store's own migration; `event`: the
 * event's data changed first (only to measure what a smaller event would cost). */
const VARIANTS: Record<string, { what: string; ddl: string[]; event?: (data: unknown) => unknown }> = {
  pglz: { what: 'the schema as migrated (EXTENDED: pglz here, lz4 where built)', ddl: [] },
  inline: {
    what: 'compressed, kept in the row (toast_tuple_target 8160: no TOAST-table row)',
    ddl: ['ALTER TABLE yl_events SET (toast_tuple_target = 8160)'],
  },
  main: {
    what: 'STORAGE MAIN (compressed, out of line only past a page)',
    ddl: ['ALTER TABLE yl_events ALTER COLUMN data SET STORAGE MAIN, ALTER COLUMN metadata SET STORAGE MAIN'],
  },
  lean: {
    what: 'the schema as migrated, a leaner event (Observations without subject, performer, issued, category, effective)',
    ddl: [],
    event: lean,
  },
  external: {
    what: 'STORAGE EXTERNAL (not compressed, out of line)',
    ddl: [
      'ALTER TABLE yl_events ALTER COLUMN data SET STORAGE EXTERNAL, ALTER COLUMN metadata SET STORAGE EXTERNAL',
    ],
  },
};

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const perRound = envInt('BENCH_EVENTS', 3_000, 1);
// BENCH_WRITERS: one count, or several (comma-separated): each variant runs with each.
const writerCounts = (process.env.BENCH_WRITERS ?? '8').split(',').map((w) => {
  const n = Number(w);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_WRITERS: ${w} is not a count`);
  return n;
});
const rounds = envInt('BENCH_ROUNDS', 3, 1);
const names = (process.env.BENCH_VARIANTS ?? Object.keys(VARIANTS).join(',')).split(',');
for (const n of names) if (!VARIANTS[n]) throw new Error(`BENCH_VARIANTS: no variant ${n}`);
/** Each contender: a variant and a number of writers, its own database. */
const contenders = names.flatMap((variant) =>
  writerCounts.map((writers) => ({
    variant,
    writers,
    key: writerCounts.length > 1 ? `${variant}×${writers}` : variant,
  })),
);

async function query(url: string, text: string): Promise<Record<string, string>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(text)).rows;
  } finally {
    await client.end();
  }
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Tally {
  events: number;
  wallMs: number;
  pgMs: number;
  nodeMs: number;
  walBytes: number;
  calls: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yilian-bench-storage-'));
  chmodSync(dir, 0o755);
  const pgDir = join(dir, 'pg');
  const pg = await startEmbeddedPostgres({ dir: pgDir, persistent: false });
  try {
    const patients = benchPatients(300);
    const receivedAt = new Date().toISOString();
    const events = Array.from({ length: 500 }, (_, i) =>
      labEventOf(benchMessage('S', i % 16, i, patients).text, receivedAt),
    );
    const bytes = Buffer.byteLength(JSON.stringify(events[0]!.event.data));
    const stores = new Map<
      string,
      { store: PostgresEventStore; url: string; writers: number; events: typeof events }
    >();
    for (const c of contenders) {
      const url = await ensureDatabase(pg.socketUrl, `storage_${c.variant}_${c.writers}`);
      const store = new PostgresEventStore({ connectionString: url, poolSize: 16 });
      await store.migrate();
      for (const ddl of VARIANTS[c.variant]!.ddl) await query(url, ddl);
      const shape = VARIANTS[c.variant]!.event;
      const own = shape
        ? events.map((e) => ({ stream: e.stream, event: { ...e.event, data: shape(e.event.data) } }))
        : events;
      stores.set(c.key, { store, url, writers: c.writers, events: own });
    }
    const keys = contenders.map((c) => c.key);
    console.log(
      `${events.length} distinct lab-report events (${int(bytes)} B of JSON data each), ${writerCounts.join(' / ')} writers, ` +
        `${int(perRound)} events per variant and round, ${rounds} rounds · load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
    );
    const tallies = new Map<string, Tally>(
      keys.map((n) => [n, { events: 0, wallMs: 0, pgMs: 0, nodeMs: 0, walBytes: 0, calls: 0 }]),
    );
    let seq = 0;
    const run = async (
      store: PostgresEventStore,
      writers: number,
      n: number,
      tag: string,
      events: readonly { stream: string; event: NewEvent }[],
    ) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < n) {
            const i = next++;
            const { stream, event } = events[(seq + i) % events.length]!;
            await store.append(`${stream}-${tag}-${i}`, [{ ...event, id: randomUUID() }], 'no_stream');
          }
        }),
      );
      seq += n;
    };
    // Warm-up: plans, caches, JIT.
    for (const [key, s] of stores) await run(s.store, s.writers, 300, `w${key}`, s.events);
    const profileFile = process.env.BENCH_PROFILE;
    const profiler = profileFile ? new CpuProfiler() : undefined;
    await profiler?.start();
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? keys : [...keys].reverse();
      for (const name of order) {
        const { store, url, writers, events: own } = stores.get(name)!;
        await query(url, 'CHECKPOINT');
        const [lsn0] = await query(url, 'SELECT pg_current_wal_lsn()::text AS l');
        const calls0 = store.appendStats.calls;
        const pg0 = postgresCpuMs(pgDir)!;
        const node0 = cpuMs();
        const t0 = performance.now();
        await run(store, writers, perRound, `r${round}`, own);
        const wall = performance.now() - t0;
        const node = cpuMs() - node0;
        const pgUsed = postgresCpuMs(pgDir)! - pg0;
        const [wal] = await query(url, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '${lsn0!.l}') AS b`);
        const t = tallies.get(name)!;
        t.events += perRound;
        t.wallMs += wall;
        t.pgMs += pgUsed;
        t.nodeMs += node;
        t.walBytes += Number(wal!.b);
        t.calls += store.appendStats.calls - calls0;
        console.log(
          `  round ${round + 1} ${name.padEnd(12)} ${int(perRound / (wall / 1000)).padStart(6)} events/s · ` +
            `PostgreSQL ${((pgUsed * 1000) / perRound).toFixed(0)} µs/event · this process ${((node * 1000) / perRound).toFixed(0)} µs/event`,
        );
      }
    }
    if (profiler) {
      console.log(`CPU profile of this process over the rounds: ${profileFile}`);
      for (const line of await profiler.stop(profileFile!)) console.log(line);
    }
    console.log(
      '\nvariant      events/s  PostgreSQL µs/event  client µs/event  events/call  data B/event  WAL B/event  table+TOAST+indexes B/event (heap / TOAST / indexes)',
    );
    for (const { key: name, variant } of contenders) {
      const t = tallies.get(name)!;
      const { url, events: own } = stores.get(name)!;
      const dataBytes = Buffer.byteLength(JSON.stringify(own[0]!.event.data));
      const [size] = await query(
        url,
        `SELECT pg_relation_size('yl_events') AS heap,
           pg_total_relation_size(reltoastrelid) AS toast,
           pg_indexes_size('yl_events') AS idx, (SELECT count(*) FROM yl_events) AS n
         FROM pg_class WHERE oid = 'yl_events'::regclass`,
      );
      const n = Number(size!.n);
      const per = (k: string) => int(Number(size![k]) / n);
      console.log(
        `${name.padEnd(12)} ${int(t.events / (t.wallMs / 1000)).padStart(8)}  ${((t.pgMs * 1000) / t.events).toFixed(0).padStart(19)}  ` +
          `${((t.nodeMs * 1000) / t.events).toFixed(0).padStart(15)}  ${(t.events / t.calls).toFixed(1).padStart(11)}  ` +
          `${int(dataBytes).padStart(12)}  ${int(t.walBytes / t.events).padStart(11)}  ${int((Number(size!.heap) + Number(size!.toast) + Number(size!.idx)) / n).padStart(6)} ` +
          `(${per('heap')} / ${per('toast')} / ${per('idx')})   ${VARIANTS[variant]!.what}`,
      );
    }
    console.log(
      `load average at the end ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    for (const { store } of stores.values()) await store.close();
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
