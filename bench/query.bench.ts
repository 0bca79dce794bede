/*
 * npm run bench:query — platform-api's FHIR reads over HTTP beside the bare SQL under them, on a
 * province-sized store with every read model projected (issue 15: goal FHIR search p99 ≤ 3× the
 * bare query).
 *
 * 1. The store of bench/lib/province-store.ts (≥ 1,000,000 events for ≥ 100,000 patients by
 *    default; reused from `--keep DIR`, e.g. the one bench:replay left) and its read database
 *    with ALL_PROJECTIONS (rebuilt here, by the rebuild's path, unless DIR holds them).
 * 2. platform-api (`PlatformApiModule`, the real app: auth, access gate, access trail, FHIR
 *    bundles) in this process on 127.0.0.1, on one read-model pool, with the event store for
 *    what it answers from the log; a platform client and an auditor client.
 * 3. For the sample patients (50 results each, 3–9 patient keys), each route's statements are
 *    captured from the two pools while the route answers one request per patient (text and
 *    parameters as sent, and which ran concurrently); "bare SQL" replays exactly those
 *    statements on the same pools (concurrent ones together), no HTTP, no Nest, no JSON.
 *    Measured: `GET /fhir/DiagnosticReport?patient=Patient/<key>` (platform),
 *    `GET /fhir/Patient/<key>/$everything` (platform), and the as-of queries that exist:
 *    `GET /fhir/Patient/<key>/$recognisable?asOf=<the middle moment>&requester=…` (auditor) and,
 *    where platform-api answers it, `GET /fhir/DiagnosticReport?patient=Patient/<key>&_at=<the
 *    middle moment>` (auditor, from the log). 1 caller, then 8; p50/p95/p99, CPU per query of
 *    this process (client and server together) and of PostgreSQL, load average.
 *
 * Flags: --events N (1000000) --patients N (100000) --keep DIR --queries N (500 per row)
 *        --callers 1,8 --timeout-s N (3600)
 * Smoke check: npm run bench:query -- --events 20000 --patients 2000
 */
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool, type QueryConfig } from 'pg';
import { hashApiKey } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { configureHttp } from '@yilian/runtime';
import { catchUp } from '../apps/cli/src/read-model-swap';
import { PlatformApiModule } from '../apps/platform-api/src';
import {
  cpuSince,
  flag,
  fmt,
  load,
  log,
  openProvinceStore,
  type ProvinceStore,
  readModelsComplete,
  rebuildReadModels,
  textFlag,
} from './lib/province-store';
import { INSTITUTIONS, residentId } from './recognition-workload';

const EVENTS = flag('events', 1_000_000, 1000);
const PATIENTS = flag('patients', 100_000, 100);
const QUERIES = flag('queries', 500, 10);
const TIMEOUT_MS = flag('timeout-s', 3600, 10) * 1000;
const KEEP = textFlag('keep');
const CALLERS = (textFlag('callers') ?? '1,8').split(',').map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--callers: integers ≥ 1, comma-separated, got ${c}`);
  return n;
});
const PLATFORM_KEY = 'bench-platform-key-0123456789';
const AUDITOR_KEY = 'bench-auditor-key-0123456789';

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly perSecond: number;
  readonly nodeMs: number;
  readonly pgMs: number | undefined;
}

/** `n` calls of `fn(i)` on `concurrency` callers: latency of each, rate, CPU per call. */
async function timed(
  n: number,
  concurrency: number,
  pgDir: string,
  fn: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const ms: number[] = [];
  let next = 0;
  const cpu = cpuSince(pgDir);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await fn(i);
        ms.push(performance.now() - s);
      }
    }),
  );
  const c = cpu(n);
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.max(0, Math.ceil(q * ms.length) - 1))]!;
  return {
    n,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: ms[ms.length - 1]!,
    perSecond: n / c.seconds,
    nodeMs: c.nodeUsPerOp / 1000,
    pgMs: c.pgUsPerOp !== undefined ? c.pgUsPerOp / 1000 : undefined,
  };
}

// ---- the statements a route runs ---------------------------------------------------------------

type QueryArgs = [string | QueryConfig, unknown[]?];
interface Captured {
  readonly pool: Pool;
  readonly args: QueryArgs;
  readonly issued: number;
  done: number;
}

/** Records every `pool.query` of the given pools while `capturing` is set (the app's statements
 * all go through `pool.query`: none of its read routes checks a client out). */
class StatementTap {
  capturing: Captured[] | undefined;
  constructor(pools: readonly Pool[]) {
    for (const pool of pools) {
      const original = pool.query.bind(pool) as (...a: QueryArgs) => Promise<unknown>;
      (pool as unknown as { query: (...a: QueryArgs) => Promise<unknown> }).query = (...args: QueryArgs) => {
        const into = this.capturing;
        if (!into) return original(...args);
        const c: Captured = { pool, args, issued: performance.now(), done: Infinity };
        into.push(c);
        return original(...args).finally(() => (c.done = performance.now()));
      };
    }
  }
}

/** Statements in waves: one issued before the ones before it were all answered ran with them. */
function waves(statements: readonly Captured[]): Captured[][] {
  const out: Captured[][] = [];
  let lastDone = -Infinity;
  for (const s of statements) {
    if (out.length > 0 && s.issued < lastDone) out[out.length - 1]!.push(s);
    else out.push([s]);
    lastDone = Math.max(lastDone, s.done);
  }
  return out;
}

async function replay(plan: readonly Captured[][]): Promise<void> {
  for (const wave of plan) {
    await Promise.all(
      wave.map((s) => (s.pool.query as (...a: QueryArgs) => Promise<unknown>).apply(s.pool, s.args)),
    );
  }
}

// ---- HTTP ------------------------------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function get(base: string, path: string, key: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(
      `${base}${path}`,
      { agent, headers: { authorization: `Bearer ${key}`, accept: 'application/fhir+json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end();
  });
}

interface Route {
  readonly name: string;
  readonly path: (key: string, i: number) => string;
  readonly key: string;
  /** What the answer must hold for a sample patient (else the bench stops). */
  readonly check: (bundle: fhir4.Bundle) => string | undefined;
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `bench:query · ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ` +
      `Node ${process.version} · load ${load()}\n` +
      `store ≥ ${fmt(EVENTS)} events for ${fmt(PATIENTS)} patients${KEEP ? ` (kept in ${KEEP})` : ''} · ${fmt(QUERIES)} queries per row`,
  );
  let province: ProvinceStore | undefined;
  let app: NestExpressApplication | undefined;
  let apiPool: Pool | undefined;
  const stop = async () => {
    await app?.close().catch(() => undefined);
    await apiPool?.end().catch(() => undefined);
    await province?.stop();
  };
  const deadline = setTimeout(() => {
    console.error(`bench:query: over ${TIMEOUT_MS / 1000} s, stopping`);
    void stop().finally(() => process.exit(1));
  }, TIMEOUT_MS);
  try {
    province = await openProvinceStore({ bench: 'query', keep: KEEP, events: EVENTS, patients: PATIENTS });
    const { marker, pgDir } = province;
    if (!readModelsComplete(marker)) {
      log('projecting every read model (ALL_PROJECTIONS) by the rebuild’s path …');
      const r = await rebuildReadModels(province, marker.storeEvents, catchUp, { resume: true });
      if (!r.complete) throw new Error('the read models are not complete');
      log(
        `projected ${fmt(r.events)} events in ${r.seconds.toFixed(1)} s = ${fmt(r.events / r.seconds)} events/s`,
      );
    } else
      log(
        `read models kept: ${marker.readModels!.projections.length} projections over ${fmt(marker.readModels!.events)} events`,
      );
    const p = marker;

    // ---- platform-api ------------------------------------------------------------------------
    apiPool = new Pool({ connectionString: province.readUrl, max: 10 });
    apiPool.on('error', () => undefined);
    const tap = new StatementTap([apiPool, province.store.pool]);
    app = await NestFactory.create<NestExpressApplication>(
      PlatformApiModule.register({
        readModelPool: apiPool,
        platformClients: `bench-platform:${hashApiKey(PLATFORM_KEY)}`,
        auditors: `bench-auditor:${hashApiKey(AUDITOR_KEY)}`,
        patientKeyer: province.keyer,
        store: province.store,
      }),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    configureHttp(app);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    log(`platform-api on ${base}`);

    const keys = p.samples.map((s) => province!.keyer.forResidentId(residentId(s)));
    const mid = encodeURIComponent(p.midMoment);
    const requester = (i: number) => INSTITUTIONS[i % INSTITUTIONS.length]!.code;
    const entries = (b: fhir4.Bundle, mode?: string) =>
      (b.entry ?? []).filter((e) => !mode || e.search?.mode === mode).length;
    const routes: Route[] = [
      {
        name: 'FHIR search `GET /fhir/DiagnosticReport?patient=Patient/<key>` (platform)',
        path: (k) => `/fhir/DiagnosticReport?patient=Patient/${k}`,
        key: PLATFORM_KEY,
        check: (b) =>
          entries(b) >= 30 ? undefined : `${entries(b)} reports, expected ≈ 45 (50 results, 10 % imaging)`,
      },
      {
        name: '`GET /fhir/Patient/<key>/$everything` (platform)',
        path: (k) => `/fhir/Patient/${k}/$everything`,
        key: PLATFORM_KEY,
        check: (b) =>
          entries(b) >= 150 ? undefined : `${entries(b)} resources, expected reports + observations`,
      },
      {
        name: 'as of the middle: `GET /fhir/Patient/<key>/$recognisable?asOf=…&requester=…` (auditor)',
        path: (k, i) => `/fhir/Patient/${k}/$recognisable?asOf=${mid}&requester=${requester(i)}`,
        key: AUDITOR_KEY,
        check: (b) =>
          entries(b, 'match') >= 20 ? undefined : `${entries(b, 'match')} results, expected 24–25`,
      },
    ];
    const atProbe = await get(
      base,
      `/fhir/DiagnosticReport?patient=Patient/${keys[0]}&_at=${mid}`,
      AUDITOR_KEY,
    );
    if (atProbe.status === 200)
      routes.push({
        name: 'as of the middle: `GET /fhir/DiagnosticReport?patient=Patient/<key>&_at=…` (auditor, from the log)',
        path: (k) => `/fhir/DiagnosticReport?patient=Patient/${k}&_at=${mid}`,
        key: AUDITOR_KEY,
        check: (b) =>
          entries(b) >= 10 ? undefined : `${entries(b)} reports, expected ≈ 22 (25 results by then)`,
      });
    else
      log(
        `DiagnosticReport?_at= not measured: platform-api answers ${atProbe.status} (${atProbe.body.slice(0, 160)})`,
      );

    const rows: { route: string; what: string; s: Stats; statements?: string }[] = [];
    const ratios: { route: string; callers: number; ratio: number }[] = [];
    for (const route of routes) {
      // one request first (caches: the rules folded, prepared statements), then every sample
      // once, checked, with its statements captured (one request at a time)
      await get(base, route.path(keys[0]!, 0), route.key);
      const plans: Captured[][][] = [];
      let statements = 0;
      for (let i = 0; i < keys.length; i++) {
        tap.capturing = [];
        const res = await get(base, route.path(keys[i]!, i), route.key);
        const captured = tap.capturing;
        tap.capturing = undefined;
        if (res.status !== 200)
          throw new Error(`${route.name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
        const problem = route.check(JSON.parse(res.body) as fhir4.Bundle);
        if (problem) throw new Error(`${route.name}, sample ${i}: ${problem}`);
        plans.push(waves(captured));
        statements += captured.length;
      }
      const first = plans[0]!.flat();
      const shape =
        `${(statements / keys.length).toFixed(1)} statements per request in ${(plans.reduce((n, w) => n + w.length, 0) / keys.length).toFixed(1)} round trips; ` +
        `first request: ${first.map((c) => describe(c)).join(' · ')}`;
      log(`${route.name}: ${shape}`);
      const http = (i: number) =>
        get(base, route.path(keys[i % keys.length]!, i), route.key).then((r) => {
          if (r.status !== 200) throw new Error(`${route.name}: HTTP ${r.status}`);
        });
      const bare = (i: number) => replay(plans[i % plans.length]!);
      await timed(keys.length, 1, pgDir, http); // warm-up, both paths
      await timed(keys.length, 1, pgDir, bare);
      for (const callers of CALLERS) {
        const h = await timed(QUERIES, callers, pgDir, http);
        const b = await timed(QUERIES, callers, pgDir, bare);
        rows.push({ route: route.name, what: `HTTP, ${callers} caller${callers > 1 ? 's' : ''}`, s: h });
        rows.push({
          route: route.name,
          what: `bare SQL (the same statements), ${callers} caller${callers > 1 ? 's' : ''}`,
          s: b,
          statements: shape,
        });
        ratios.push({ route: route.name, callers, ratio: h.p99 / b.p99 });
        log(
          `${route.name}, ${callers} caller(s): HTTP p99 ${h.p99.toFixed(1)} ms, bare ${b.p99.toFixed(1)} ms · load ${load()}`,
        );
      }
    }

    console.log('');
    console.log(
      '| route | measured | p50 ms | p95 ms | p99 ms | max ms | queries/s | CPU ms/query Node / PG |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const { route, what, s } of rows)
      console.log(
        `| ${route} | ${what} | ${s.p50.toFixed(2)} | ${s.p95.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.max.toFixed(2)} | ` +
          `${fmt(s.perSecond)} | ${s.nodeMs.toFixed(2)} / ${s.pgMs?.toFixed(2) ?? '-'} |`,
      );
    console.log('');
    for (const r of ratios)
      console.log(
        `p99 HTTP ÷ bare SQL, ${r.callers} caller(s): ${r.ratio.toFixed(2)}× — ${r.route}${r.ratio <= 3 ? '' : ' (over 3×)'}`,
      );
    const search = ratios.find((r) => r.route === routes[0]!.name && r.callers === 1)!;
    console.log(
      `\nstore ${fmt(p.storeEvents)} events, ${fmt(p.patients)} patients, ${keys.length} sample patients × 50 results; ` +
        `goal FHIR search p99 ≤ 3× the bare query (1 caller): ${search.ratio.toFixed(2)}× ${search.ratio <= 3 ? 'met' : 'NOT met'} · load ${load()}`,
    );
  } finally {
    clearTimeout(deadline);
    await stop();
  }
}

/** A statement, short: its first words and its parameter count (no values: they hold keys). */
function describe(c: Captured): string {
  const [q, values] = c.args;
  const text = typeof q === 'string' ? q : q.text;
  const params = (typeof q === 'string' ? values : (q.values ?? values))?.length ?? 0;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 6);
  return `${text.replace(/\s+/g, ' ').trim().slice(0, 48)}… (${params} params, #${digest})`;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench:query failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
