/*
 * npm run bench:store — our PostgreSQL event store against Emmett's, same run, same server.
 *
 * Starts a fresh embedded PostgreSQL and gives each contender its own database, its own
 * process and a pg pool of the same size. After a warm-up (schema created, JIT hot, pools
 * open) it times: single-event appends by concurrent writers with expected revisions (as an
 * intake appends), batched appends, and read-all from the start in batches (as a relay or a
 * rebuild reads). Every phase runs in rounds that alternate which contender goes first
 * (A B, B A, …) so load from other processes on the machine falls on both alike. A CHECKPOINT
 * precedes every timed round; VACUUM ANALYZE precedes the reads. Stops PostgreSQL when done.
 *
 * Env: BENCH_EVENTS (20000), BENCH_STREAMS (2000), BENCH_WRITERS (8), BENCH_POOL (= writers),
 * BENCH_BATCH (events per append in the batched variant, 10; 0 to skip), BENCH_READ_BATCH
 * (1000), BENCH_ROUNDS (append rounds, 8), BENCH_READ_ROUNDS (1), BENCH_TIMEOUT_S (295).
 */
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@yilian/testing';
import type { ContenderName } from './lib/contender';
import { ContenderProcess } from './lib/contender-client';
import { labReportEvent, labReportStreamId } from './lib/lab-report-workload';
import { type ContenderResult, cpuTable, resultTable } from './lib/report';
import { serverCpuMs } from './lib/server-cpu';
import {
  type AppendRange,
  appendStats,
  readStats,
  type TimedAppends,
  type TimedRead,
  type WorkloadConfig,
} from './lib/workload-runner';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const writers = envInt('BENCH_WRITERS', 8, 1);
const workload: WorkloadConfig = {
  events: envInt('BENCH_EVENTS', 20_000, 1),
  streams: envInt('BENCH_STREAMS', 2_000, 1),
  writers,
  batchSize: envInt('BENCH_BATCH', 10, 0),
  readBatch: envInt('BENCH_READ_BATCH', 1_000, 1),
};
const poolSize = envInt('BENCH_POOL', writers, 1);
const rounds = envInt('BENCH_ROUNDS', 8, 1);
const readRounds = envInt('BENCH_READ_ROUNDS', 1, 1);
const timeoutMs = envInt('BENCH_TIMEOUT_S', 295, 1) * 1000;
const CONTENDERS = ['yilian', 'emmett'] as const;

/** Runs one statement on its own connection; answers its first row. */
async function sql(url: string, text: string): Promise<Record<string, string> | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(text)).rows[0];
  } finally {
    await client.end();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Contender order for round `r`: A B, B A, A B, … */
const orderFor = (r: number) => (r % 2 === 0 ? CONTENDERS : ([...CONTENDERS].reverse() as ContenderName[]));

async function main(): Promise<void> {
  const dir = join(__dirname, '..', '.tmp', `bench-store-${process.pid}`);
  const pgDir = join(dir, 'pg');
  const pg = await startEmbeddedPostgres({ dir: pgDir });
  const procs = new Map<ContenderName, ContenderProcess>();
  const stop = async () => {
    for (const p of procs.values()) p.kill();
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = setTimeout(() => {
    console.error(`bench:store: over ${timeoutMs / 1000} s, stopping`);
    void stop().finally(() => process.exit(1));
  }, timeoutMs);
  try {
    const cpu = cpus();
    console.log(
      `PostgreSQL ${(await sql(pg.url, 'SHOW server_version'))?.server_version} (embedded, fresh) · ${cpu.length} cores ` +
        `(${cpu[0]?.model.trim() ?? '?'}) · Node ${process.version}`,
    );
    const urls = new Map<ContenderName, string>();
    const names = new Map<ContenderName, string>();
    for (const c of CONTENDERS) {
      await sql(pg.url, `CREATE DATABASE bench_${c}`);
      urls.set(c, databaseUrl(pg.url, `bench_${c}`));
      procs.set(c, new ContenderProcess(c));
      names.set(
        c,
        (await procs.get(c)!.request({ cmd: 'open', contender: c, url: urls.get(c)!, poolSize })).name!,
      );
    }
    const appended = new Map<ContenderName, number>(CONTENDERS.map((c) => [c, 0]));
    const serverCpu = () => serverCpuMs(pgDir);
    const append = async (c: ContenderName, range: AppendRange): Promise<TimedAppends> => {
      const before = serverCpu();
      const { appended: timed } = await procs.get(c)!.request({ cmd: 'append', range });
      const after = serverCpu();
      appended.set(c, appended.get(c)! + timed!.events);
      return {
        ...timed!,
        serverCpuMs: before === undefined || after === undefined ? undefined : after - before,
      };
    };
    const read = async (c: ContenderName): Promise<TimedRead> => {
      const before = serverCpu();
      const { read: timed } = await procs.get(c)!.request({ cmd: 'readAll', batch: workload.readBatch });
      const after = serverCpu();
      return {
        ...timed!,
        serverCpuMs: before === undefined || after === undefined ? undefined : after - before,
      };
    };
    const base = { streams: workload.streams, writers: workload.writers };
    const batched = workload.batchSize > 1;

    // Warm-up, not timed.
    const warm = Math.min(1_000, Math.max(200, Math.floor(workload.events / 20)));
    for (const c of CONTENDERS) {
      await append(c, {
        kind: 'W',
        from: 0,
        to: warm,
        ...base,
        streams: Math.min(200, base.streams),
        perAppend: 1,
      });
      if (batched) {
        const to = Math.ceil(warm / workload.batchSize);
        await append(c, { kind: 'X', from: 0, to, ...base, perAppend: workload.batchSize });
      }
      await read(c);
    }
    const stored = await sql(
      urls.get('yilian')!,
      'SELECT avg(pg_column_size(data))::int AS bytes FROM yl_events',
    );
    const sample = Array.from({ length: 100 }, (_, i) => labReportEvent(labReportStreamId('S', i), i % 3));
    const jsonBytes =
      sample.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.data)), 0) / sample.length;
    console.log(
      `workload: ${workload.events} lab-report events (${(jsonBytes / 1024).toFixed(1)} KB of JSON, ${stored?.bytes} B as stored) ` +
        `over ${workload.streams} streams; ${workload.writers} writers, pool ${poolSize}; batched variant: ` +
        `${batched ? `${workload.batchSize} events/append` : 'off'}; read-all in batches of ${workload.readBatch}; ` +
        `${rounds} append rounds and ${readRounds} read round(s), alternating which contender goes first`,
    );

    const phase = async (kind: string, perAppend: number): Promise<Map<ContenderName, TimedAppends[]>> => {
      const segments = new Map<ContenderName, TimedAppends[]>(CONTENDERS.map((c) => [c, []]));
      const appends = Math.ceil(workload.events / perAppend);
      for (let r = 0; r < rounds; r++) {
        const from = Math.floor((appends * r) / rounds);
        const to = Math.floor((appends * (r + 1)) / rounds);
        for (const c of orderFor(r)) {
          await sql(urls.get(c)!, 'CHECKPOINT');
          segments.get(c)!.push(await append(c, { kind, from, to, ...base, perAppend }));
        }
      }
      return segments;
    };
    process.stdout.write('appending one event per append ... ');
    const single = await phase('A', 1);
    process.stdout.write(batched ? `${workload.batchSize} per append ... ` : '');
    const many = batched ? await phase('B', workload.batchSize) : undefined;
    process.stdout.write('reading all ... ');
    for (const c of CONTENDERS) await sql(urls.get(c)!, 'VACUUM ANALYZE');
    const reads = new Map<ContenderName, TimedRead[]>(CONTENDERS.map((c) => [c, []]));
    for (let r = 0; r < readRounds; r++) {
      for (const c of orderFor(r)) {
        await sql(urls.get(c)!, 'CHECKPOINT');
        reads.get(c)!.push(await read(c));
      }
    }
    console.log('done\n');
    for (const c of CONTENDERS) await procs.get(c)!.request({ cmd: 'close' });

    const warnings: string[] = [];
    const results = new Map<ContenderName, ContenderResult>();
    for (const c of CONTENDERS) {
      const name = names.get(c)!;
      for (const timed of reads.get(c)!) {
        if (timed.events !== appended.get(c)) {
          warnings.push(
            `${name}: read-all from the start returned ${timed.events} events; ${appended.get(c)} were appended`,
          );
          if (c === 'yilian') process.exitCode = 1;
        }
      }
      results.set(c, {
        name,
        single: appendStats(single.get(c)!),
        batched: many ? appendStats(many.get(c)!) : undefined,
        readAll: readStats(reads.get(c)!),
      });
    }
    console.log(resultTable(results.get('yilian')!, results.get('emmett')!, workload.batchSize));
    console.log('(throughput ratios: > 1 means ours is faster; latency ratios: < 1 means ours is faster)\n');
    console.log(cpuTable(results.get('yilian')!, results.get('emmett')!, workload.batchSize));
    console.log(
      '(CPU of the contender process + the PostgreSQL server per event; < 1 means ours costs less)',
    );
    for (const warning of warnings) console.log(`WARNING ${warning}`);
  } finally {
    clearTimeout(deadline);
    await stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
