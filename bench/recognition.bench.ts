/*
 * npm run bench:recognition — the eligibility query (issue 11) on a province-sized store: for a
 * patient with 50 results, p50/p99 of `RecognitionEligibility.eligibility()` end to end, beside
 * the bare SQL under it and the JS judging alone, in the same run. Goal: p99 ≤ 20 ms.
 *
 * 1. Starts its own embedded PostgreSQL (under .tmp, removed after; loopback only): the event
 *    store (`PostgresEventStore`) in one database, the read models in another, as deployed.
 * 2. Appends the workload of bench/recognition-workload.ts through the store's group commit
 *    (up to 100 appends per call): the rules, then lab reports (ORU^R01 biochemistry panels
 *    through the intake's mapper, normaliser and decider), imaging studies, corrections and the
 *    MRN → resident-ID links, in time order; ≥ 1,000,000 events for ≥ 100,000 patients by
 *    default. A moment in the middle is kept as the historical `asOf`; a catalogue amendment
 *    and a QC revocation are recorded after it.
 * 3. Projects the whole log with the real path (`ProjectionRunner.applyBatch` over `readAll`
 *    pages of 1,000, recognition + patient-links projections) and times it.
 * 4. Measures, for the sample patients (exactly 50 results each, spread over institutions and
 *    dates), requesters cycling over the institutions: eligibility end to end on 1 and on 8
 *    concurrent callers; the bare SQL (the one named statement it sends, with the same
 *    parameters, on the same pool); judgeResult over the 50 records alone; now and as of the
 *    middle moment.
 *
 * Flags: --events N (1000000) --patients N (100000) --samples N (200) --queries N (2000)
 *        --results-per-sample N (50)
 * Smoke check: npm run bench:recognition -- --events 50000 --patients 5000
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { imagingStream, labReportStream, type RecordedEvent } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { PatientKeyer, patientLinksProjection, SAME_PATIENT_KEYS_SQL } from '@yilian/patients';
import { ProjectionRunner } from '@yilian/projections';
import {
  ELIGIBILITY_SQL,
  judgeResult,
  RecognitionEligibility,
  recognitionProjection,
  type ResultRecord,
} from '@yilian/recognition';
import { startEmbeddedPostgres } from '@yilian/testing';
import { serverCpuMs } from './lib/server-cpu';
import {
  type Append,
  checkFastPath,
  imagingEvent,
  INSTITUTIONS,
  initialRules,
  labEvents,
  midRunRules,
  plan,
  residentId,
} from './recognition-workload';

function flag(name: string, fallback: number, min: number): number {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const EVENTS = flag('events', 1_000_000, 1000);
const PATIENTS = flag('patients', 100_000, 100);
const SAMPLES = flag('samples', 200, 1);
const PER_SAMPLE = flag('results-per-sample', 50, 1);
const QUERIES = flag('queries', 2000, 10);
// a build of the default size took ≈ 35 min with the machine's 2 cores loaded 6–8 times over
const TIMEOUT_MS = flag('timeout-s', 7200, 10) * 1000;
/** --keep DIR: keep the database in DIR after the run; a later run with the same --keep reuses
 * it (no append, no projection) — for looking into the queries. */
const KEEP = (() => {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--keep');
  return i >= 0 ? argv[i + 1] : undefined;
})();
const CHUNK = 2000; // appends submitted together; the store sends them ≤ 100 per call
const PAGE = 1000; // readAll page = one applyBatch transaction, as the rebuild does

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[${elapsed()}] ${line}`);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly perSecond?: number;
  readonly clientCpuMs?: number;
  readonly serverCpuMs?: number;
}

function stats(ms: number[], wallMs?: number): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return {
    n: s.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: s[s.length - 1]!,
    ...(wallMs ? { perSecond: (s.length * 1000) / wallMs } : {}),
  };
}

/** Runs `n` calls of `fn(i)` on `concurrency` callers; latency of each, wall time, CPU. */
async function timed(
  n: number,
  concurrency: number,
  pgDir: string,
  fn: (i: number) => Promise<unknown>,
): Promise<Stats> {
  const ms: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const server = serverCpuMs(pgDir);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await fn(i);
        ms.push(performance.now() - s);
      }
    }),
  );
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const serverTo = serverCpuMs(pgDir);
  return {
    ...stats(ms, wall),
    clientCpuMs: (used.user + used.system) / 1000 / n,
    ...(server !== undefined && serverTo !== undefined ? { serverCpuMs: (serverTo - server) / n } : {}),
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

function dbUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  const dir = KEEP ? resolve(KEEP) : join(__dirname, '..', '.tmp', `bench-recognition-${process.pid}`);
  const pgDir = join(dir, 'pg');
  const markerFile = join(dir, 'bench-recognition.json');
  /** What a later run needs: the sample patients' keys (or the secret and their indexes, as
   * runs before 2026-12-07 wrote it), the middle moment and the store's size. */
  const kept =
    KEEP && existsSync(markerFile)
      ? (JSON.parse(readFileSync(markerFile, 'utf8')) as {
          sampleKeys?: string[];
          secret?: string;
          samples?: number[];
          midMoment: string;
          storeEvents: number;
        })
      : undefined;
  const cpu = cpus();
  console.log(
    `bench:recognition · ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ` +
      `Node ${process.version} · load ${load()}\n` +
      `target ≥ ${fmt(EVENTS)} events for ${fmt(PATIENTS)} patients · ${SAMPLES} sample patients × ${PER_SAMPLE} results · ` +
      `${fmt(QUERIES)} queries per measurement`,
  );
  const pg = await startEmbeddedPostgres({ dir: pgDir, persistent: KEEP !== undefined });
  let store: PostgresEventStore | undefined;
  let readPool: Pool | undefined;
  const stop = async () => {
    await store?.close().catch(() => undefined);
    await readPool?.end().catch(() => undefined);
    await pg.stop().catch(() => undefined);
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = setTimeout(() => {
    console.error(`bench:recognition: over ${TIMEOUT_MS / 1000} s, stopping`);
    void stop().finally(() => process.exit(1));
  }, TIMEOUT_MS);
  try {
    if (!kept) {
      await sql(pg.url, 'CREATE DATABASE yilian_store');
      await sql(pg.url, 'CREATE DATABASE yilian_read');
    }
    const storeUrl = dbUrl(pg.url, 'yilian_store');
    const readUrl = dbUrl(pg.url, 'yilian_read');
    log(`PostgreSQL on 127.0.0.1:${pg.port} (${pgDir})${kept ? ', kept from an earlier run' : ''}`);
    const built = kept
      ? {
          store: undefined,
          midMoment: new Date(kept.midMoment),
          sampleKeys:
            kept.sampleKeys ??
            kept.samples!.map((p) =>
              new PatientKeyer(Buffer.from(kept.secret!, 'hex')).forResidentId(residentId(p)),
            ),
          storeEvents: kept.storeEvents,
        }
      : await build(storeUrl, readUrl, pgDir);
    store = built.store;
    readPool = new Pool({ connectionString: readUrl, max: 8 });
    readPool.on('error', () => undefined);
    if (KEEP && !kept) {
      const { sampleKeys, midMoment, storeEvents } = built;
      writeFileSync(
        markerFile,
        JSON.stringify({ sampleKeys, midMoment: midMoment.toISOString(), storeEvents }),
      );
    }
    await measure(readPool, pgDir, built.sampleKeys, built.midMoment, built.storeEvents);
  } finally {
    clearTimeout(deadline);
    await stop();
  }
}

/** Phases 1–3: plan, append, project. */
async function build(storeUrl: string, readUrl: string, pgDir: string) {
  {
    // ---- 1. the workload -------------------------------------------------------------------
    const from = Date.UTC(2026, 5, 1); // 2026-06-01 … today: some windows open, some passed
    const to = Date.now() - 3600_000;
    let workload = plan({
      events: EVENTS,
      patients: PATIENTS,
      samples: SAMPLES,
      resultsPerSample: PER_SAMPLE,
      from,
      to,
    });
    const count = (p: typeof workload) =>
      p.results.length + p.corrected.size + p.links + initialRules().length + midRunRules().length;
    if (count(workload) < EVENTS) {
      const linksPerResult = workload.links / workload.results.length + 0.01;
      workload = plan({
        events: EVENTS,
        patients: PATIENTS,
        samples: SAMPLES,
        resultsPerSample: PER_SAMPLE,
        from,
        to,
        linksPerResult,
      });
    }
    const { results, corrected, samples } = workload;
    const imaging = results.filter((r) => r.kind < 0).length;
    log(
      `planned ${fmt(count(workload))} events: ${fmt(results.length - imaging)} lab reports, ${fmt(imaging)} imaging studies, ` +
        `${fmt(corrected.size)} corrections, ${fmt(workload.links)} patient links, ${initialRules().length + midRunRules().length} rule events`,
    );

    // ---- 2. the store ------------------------------------------------------------------------
    const store = new PostgresEventStore({ connectionString: storeUrl, poolSize: 4, maxBatchAppends: 100 });
    await store.migrate();
    const secret = randomBytes(32);
    const keyer = new PatientKeyer(Buffer.from(secret));
    const checked = checkFastPath(keyer, results, 1000);
    log(
      `lab events from templates checked equal, byte for byte, to the full ORU^R01 → mapOruR01Lab path: ${checked} events`,
    );
    for (const a of initialRules()) await store.append(a.stream, a.events, a.expected);
    const appendStart = performance.now();
    const appendCpu = process.cpuUsage();
    const appendServer = serverCpuMs(pgDir);
    let appended = 0;
    let pending: Promise<unknown> = Promise.resolve();
    let due: Append[] = []; // corrections of the previous chunk's reports
    const linked = new Set<string>();
    let midMoment: Date | undefined;
    let midRules = false;
    let lastReport = 0;
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
      if (!midMoment && i >= results.length / 2) {
        midMoment = new Date();
        log(`middle moment (historical asOf): ${midMoment.toISOString()}`);
      }
      if (!midRules && i >= results.length * 0.6) {
        midRules = true;
        for (const a of midRunRules()) await store.append(a.stream, a.events, a.expected);
        appended += midRunRules().length;
      }
      pending = Promise.all(appends.map((a) => store.append(a.stream, a.events, a.expected)));
      appended += appends.reduce((n, a) => n + a.events.length, 0);
      if (appended - lastReport >= 100_000) {
        lastReport = appended;
        const s = (performance.now() - appendStart) / 1000;
        log(`appended ${fmt(appended)} events · ${fmt(appended / s)} events/s · load ${load()}`);
      }
    }
    if (due.length > 0) {
      await pending;
      pending = Promise.all(due.map((a) => store.append(a.stream, a.events, a.expected)));
      appended += due.length;
    }
    await pending;
    const appendSeconds = (performance.now() - appendStart) / 1000;
    const appendCpuUs = process.cpuUsage(appendCpu);
    const appendServerTo = serverCpuMs(pgDir);
    const { rows: storeRows } = await store.pool.query<{ n: string; size: string }>(
      `SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('yl_events')) AS size FROM yl_events`,
    );
    const storeEvents = Number(storeRows[0]!.n);
    const patients = new Set(results.map((r) => r.patient)).size;
    log(
      `store: ${fmt(storeEvents)} events (${storeRows[0]!.size}) for ${fmt(patients)} patients · ` +
        `append ${appendSeconds.toFixed(1)} s = ${fmt(appended / appendSeconds)} events/s (generation through the intake's ` +
        `mapper + decider included: ${((appendCpuUs.user + appendCpuUs.system) / appended).toFixed(0)} µs CPU/event in Node, ` +
        `${appendServer !== undefined && appendServerTo !== undefined ? (((appendServerTo - appendServer) * 1000) / appended).toFixed(0) : '?'} µs in PostgreSQL) · stats ${JSON.stringify(store.appendStats)}`,
    );
    if (storeEvents < EVENTS) log(`NOTE: ${fmt(storeEvents)} events is below the ${fmt(EVENTS)} asked for`);

    // ---- 3. the projection -------------------------------------------------------------------
    const readPool = new Pool({ connectionString: readUrl, max: 4 });
    readPool.on('error', () => undefined);
    const runner = new ProjectionRunner(readPool, [recognitionProjection, patientLinksProjection]);
    await runner.migrate();
    const projStart = performance.now();
    const projCpu = process.cpuUsage();
    const projServer = serverCpuMs(pgDir);
    let projected = 0;
    let lastProgress = 0;
    let page: Promise<RecordedEvent[]> = store.readAll({ maxCount: PAGE });
    for (;;) {
      const batch = await page;
      if (batch.length === 0) break;
      page = store.readAll({ after: batch[batch.length - 1]!.position, maxCount: PAGE }); // read ahead
      await runner.applyBatch(batch);
      projected += batch.length;
      if (projected - lastProgress >= 100_000) {
        lastProgress = projected;
        const s = (performance.now() - projStart) / 1000;
        log(`projected ${fmt(projected)} events · ${fmt(projected / s)} events/s · load ${load()}`);
      }
    }
    const projSeconds = (performance.now() - projStart) / 1000;
    const projCpuUs = process.cpuUsage(projCpu);
    const projServerTo = serverCpuMs(pgDir);
    await readPool.query('VACUUM ANALYZE rm_recognition_results, rm_patient_links, rm_recognition_rules');
    const { rows: rm } = await readPool.query<{ results: string; links: string; size: string }>(
      `SELECT (SELECT count(*) FROM rm_recognition_results)::text AS results,
         (SELECT count(*) FROM rm_patient_links)::text AS links,
         pg_size_pretty(pg_total_relation_size('rm_recognition_results')) AS size`,
    );
    log(
      `projected ${fmt(projected)} events in ${projSeconds.toFixed(1)} s = ${fmt(projected / projSeconds)} events/s ` +
        `(readAll + applyBatch, recognition + patient-links; ${((projCpuUs.user + projCpuUs.system) / projected).toFixed(0)} µs CPU/event in Node, ` +
        `${projServer !== undefined && projServerTo !== undefined ? (((projServerTo - projServer) * 1000) / projected).toFixed(0) : '?'} µs in PostgreSQL) · ` +
        `rm_recognition_results ${fmt(Number(rm[0]!.results))} rows (${rm[0]!.size}), rm_patient_links ${fmt(Number(rm[0]!.links))} rows`,
    );

    await readPool.end();
    return {
      store,
      sampleKeys: samples.map((p) => keyer.forResidentId(residentId(p))),
      midMoment: midMoment ?? new Date(),
      storeEvents,
    };
  }
}

/** Phase 4: the queries. */
async function measure(
  readPool: Pool,
  pgDir: string,
  keys: readonly string[],
  midMoment: Date | undefined,
  storeEvents: number,
): Promise<void> {
  {
    const eligibility = new RecognitionEligibility(readPool);
    const requesterOf = (i: number) => INSTITUTIONS[i % INSTITUTIONS.length]!.code;
    const keyOf = (i: number) => keys[Math.floor(i / INSTITUTIONS.length) % keys.length]!;
    const now = new Date();
    const asOfs: { label: string; at: Date }[] = [
      { label: 'now', at: now },
      { label: 'as of the middle', at: midMoment ?? now },
    ];

    // every sample patient has exactly PER_SAMPLE results now (all its keys followed)
    const counts = await Promise.all(
      keys.map(
        async (k) =>
          (await eligibility.eligibility({ patientKey: k, requester: 'H001', asOf: now })).results.length,
      ),
    );
    const wrong = counts.filter((c) => c !== PER_SAMPLE).length;
    const keysPer = await Promise.all(
      keys.map(async (k) => (await readPool.query(SAME_PATIENT_KEYS_SQL, [k])).rows.length),
    );
    const midCounts = await Promise.all(
      keys.map(
        async (k) =>
          (await eligibility.eligibility({ patientKey: k, requester: 'H001', asOf: asOfs[1]!.at })).results
            .length,
      ),
    );
    const statusCount = new Map<string, number>();
    for (const k of keys.slice(0, 20)) {
      const a = await eligibility.eligibility({ patientKey: k, requester: 'H003', asOf: now });
      for (const r of a.results) statusCount.set(r.status, (statusCount.get(r.status) ?? 0) + 1);
    }
    log(
      `sample patients: ${keys.length}, results each now ${Math.min(...counts)}–${Math.max(...counts)}${wrong ? ` (${wrong} not ${PER_SAMPLE}!)` : ''}, ` +
        `as of the middle ${Math.min(...midCounts)}–${Math.max(...midCounts)}; keys per patient ${Math.min(...keysPer)}–${Math.max(...keysPer)} ` +
        `(mean ${(keysPer.reduce((a, b) => a + b, 0) / keysPer.length).toFixed(1)}); statuses for H003 (20 patients): ${JSON.stringify(Object.fromEntries(statusCount))}`,
    );

    const rows: { what: string; s: Stats }[] = [];
    const loads: string[] = [];
    for (const { label, at } of asOfs) {
      const asOf = at.toISOString();
      // warm-up: every sample patient once, both paths
      await timed(keys.length * 2, 8, pgDir, (i) =>
        eligibility.eligibility({ patientKey: keyOf(i), requester: requesterOf(i), asOf: at }),
      );
      const e1 = await timed(QUERIES, 1, pgDir, (i) =>
        eligibility.eligibility({ patientKey: keyOf(i), requester: requesterOf(i), asOf: at }),
      );
      // the statement eligibility() sends, as it sends it (named: planned once per connection)
      const bareSql = (i: number) => readPool.query({ ...ELIGIBILITY_SQL }, [keyOf(i), asOf]);
      const bare = await timed(QUERIES, 1, pgDir, bareSql);
      const e8 = await timed(QUERIES, 8, pgDir, (i) =>
        eligibility.eligibility({ patientKey: keyOf(i), requester: requesterOf(i), asOf: at }),
      );
      const bare8 = await timed(QUERIES, 8, pgDir, bareSql);
      // the judging alone: the records fetched once per patient, judged QUERIES times
      const rules = await eligibility.rulesAt(at);
      const records = await Promise.all(
        keys.map(async (k) =>
          (await readPool.query<{ record: ResultRecord }>({ ...ELIGIBILITY_SQL }, [k, asOf])).rows.map(
            (r) => r.record,
          ),
        ),
      );
      for (let i = 0; i < keys.length; i++) records[i]!.forEach((r) => judgeResult(r, requesterOf(i), rules)); // warm-up
      const judge = await timed(QUERIES, 1, pgDir, async (i) => {
        const recs = records[Math.floor(i / INSTITUTIONS.length) % records.length]!;
        recs
          .map((r) => judgeResult(r, requesterOf(i), rules))
          .sort(
            (a, b) => b.effective.localeCompare(a.effective) || a.resultStream.localeCompare(b.resultStream),
          );
      });
      // PostgreSQL's own time for the statement as a connection runs it after its first uses
      // (EXPLAIN ANALYZE EXECUTE of the named statement: the cached plan's look-up + execution),
      // and what planning it from scratch would cost (EXPLAIN ANALYZE of its text)
      const serverMs: number[] = [];
      const freshPlanMs: number[] = [];
      const client = await readPool.connect();
      try {
        for (let i = 0; i < 10; i++) await client.query({ ...ELIGIBILITY_SQL }, [keyOf(i), asOf]);
        const explain = async (text: string, params: unknown[] = []) => {
          const { rows: plan } = await client.query<{
            'QUERY PLAN': [{ 'Planning Time': number; 'Execution Time': number }];
          }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
          return plan[0]!['QUERY PLAN'][0];
        };
        for (let i = 0; i < Math.min(QUERIES, 400); i++) {
          const p = await explain(
            `EXECUTE ${ELIGIBILITY_SQL.name}(${client.escapeLiteral(keyOf(i))}, ${client.escapeLiteral(asOf)})`,
          );
          serverMs.push(p['Planning Time'] + p['Execution Time']);
          if (i < 50)
            freshPlanMs.push((await explain(ELIGIBILITY_SQL.text, [keyOf(i), asOf]))['Planning Time']);
        }
      } finally {
        client.release();
      }
      log(
        `${label}: the statement planned from scratch would cost ${stats(freshPlanMs).p50.toFixed(2)} ms of planning (median of ${freshPlanMs.length})`,
      );
      rows.push(
        { what: `eligibility() end to end, 1 caller (${label})`, s: e1 },
        { what: `eligibility() end to end, 8 callers (${label})`, s: e8 },
        {
          what: `bare SQL: the one statement (keys, results as of, rules' count), 1 caller (${label})`,
          s: bare,
        },
        { what: `bare SQL: the one statement, 8 callers (${label})`, s: bare8 },
        { what: `judgeResult × ${PER_SAMPLE} + sort, JS only (${label})`, s: judge },
        { what: `PostgreSQL execution of the named statement (${label})`, s: stats(serverMs) },
      );
      log(`measured ${label} · load ${load()}`);
      loads.push(`${label}: ${load()}`);
    }

    const header = [
      'measurement',
      'n',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'queries/s',
      'CPU ms/query Node / PG',
    ];
    const body = rows.map(({ what, s }) => [
      what,
      fmt(s.n),
      s.p50.toFixed(2),
      s.p95.toFixed(2),
      s.p99.toFixed(2),
      s.max.toFixed(2),
      s.perSecond ? fmt(s.perSecond) : '-',
      `${s.clientCpuMs?.toFixed(2) ?? '-'} / ${s.serverCpuMs?.toFixed(2) ?? '-'}`,
    ]);
    console.log('');
    console.log(`| ${header.join(' | ')} |`);
    console.log(`| ${header.map(() => '---').join(' | ')} |`);
    for (const r of body) console.log(`| ${r.join(' | ')} |`);
    console.log(`load average (1, 5, 15 min) after each block: ${loads.join(' · ')}`);
    const headline = rows[0]!.s;
    console.log(
      `\nstore ${fmt(storeEvents)} events, ${fmt(PATIENTS)} patients; eligibility for a patient with ${PER_SAMPLE} results: ` +
        `p50 ${headline.p50.toFixed(1)} ms, p99 ${headline.p99.toFixed(1)} ms (1 caller), ` +
        `${fmt(rows[1]!.s.perSecond ?? 0)} queries/s on 8; bare SQL p50 ${rows[2]!.s.p50.toFixed(1)} / p99 ${rows[2]!.s.p99.toFixed(1)} ms; ` +
        `goal p99 ≤ 20 ms: ${headline.p99 <= 20 && rows[6]!.s.p99 <= 20 ? 'met' : 'NOT met'} · whole run ${elapsed()} · load ${load()}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`bench:recognition failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
