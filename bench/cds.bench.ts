/*
 * npm run bench:cds — the CDS Hooks duplicate-test alert (issue 12) under load: p50/p99 of
 * `POST /cds-services/recognition-duplicate-test-select` at a fixed arrival rate, beside the
 * eligibility query's own time (`RecognitionEligibility.eligibility` called directly) in the same
 * run. Goal: p99 ≤ 50 ms at 200 requests/s.
 *
 * 1. Starts its own embedded PostgreSQL (under .tmp, removed after; loopback only).
 * 2. Loads BENCH_PATIENTS patients through the real hub: recognition rules appended to its event
 *    store (a province scope of three institutions, a catalogue of the 15 biochemistry items of
 *    the ORU fixture with 7/30/60-day windows, EQA statuses), then three ORU^R01 per patient over
 *    MLLP — a full panel at A (H001, 1–20 days old), six analytes at C (X003, 1–60 days old) and
 *    one at B (C002, the orderer's own, which gives B its part in the patient's care) — and waits
 *    until the in-process projector has them all. Then stops the hub.
 * 3. Boots platform-api alone (PlatformApiModule, as apps/platform-api/src/main.ts does) on that
 *    read database, over PostgreSQL's Unix socket.
 * 4. Times the eligibility query directly (own pool, B as requester, a random patient each, on
 *    one caller), then drives order-select calls (glucose, potassium and a blood count, random
 *    patient) from a child process, open loop: request i is due at start + i / rate, sent when
 *    due whatever is still in flight; latency from when it was due (no coordinated omission).
 *    Then the eligibility query again, once the HTTP load is over.
 *
 * Env: BENCH_PATIENTS (3000), BENCH_RATE (200 requests/s), BENCH_SECONDS (20), BENCH_DIRECT (2000)
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client, Pool } from 'pg';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { qualityStatusStream, recognitionCatalogueStream, recognitionScopeStream } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer, residentIdCheckCharacter } from '@yilian/patients';
import { addDays, RecognitionEligibility, shanghaiDay } from '@yilian/recognition';
import { configureHttp, createLogger } from '@yilian/runtime';
import { oruR01, startEmbeddedPostgres, ruleEvent } from '@yilian/testing';
import { startHub } from '../apps/hub/src/hub';
import { PlatformApiModule } from '../apps/platform-api/src';
import { serverCpuMs } from './lib/server-cpu';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return n;
}

const SERVICE = 'recognition-duplicate-test-select';
const SECRET = 'bench-cds-secret-that-is-at-least-32-bytes!';
const KEYS = {
  H001: 'bench-key-h001-0123456789',
  C002: 'bench-key-c002-0123456789',
  X003: 'bench-key-x003-0123456789',
};

interface DriverOrder {
  readonly url: string;
  readonly key: string;
  readonly patients: readonly string[];
  readonly rate: number;
  readonly seconds: number;
}
interface DriverResult {
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
  readonly cards: number;
  readonly wallMs: number;
  readonly lateSends: number;
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function quantiles(ms: readonly number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

function orderSelect(patientId: string): unknown {
  const draft = (id: string, loinc: string, display: string) => ({
    resource: {
      resourceType: 'ServiceRequest',
      id,
      status: 'draft',
      intent: 'order',
      code: { coding: [{ system: 'http://loinc.org', code: loinc, display }], text: display },
      subject: { reference: `Patient/${patientId}` },
    },
  });
  return {
    hook: 'order-select',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/c002-bench',
      patientId,
      selections: ['ServiceRequest/glu', 'ServiceRequest/k', 'ServiceRequest/cbc'],
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          draft('glu', '2345-7', '葡萄糖'),
          draft('k', '2823-3', '钾'),
          draft('cbc', '58410-2', '血常规'),
        ],
      },
    },
  };
}

/** The child process: open-loop POSTs at `rate` for `seconds`, latency from each one's due time. */
async function drive(order: DriverOrder): Promise<DriverResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(`${order.url}/cds-services/${SERVICE}`);
  const total = Math.round(order.rate * order.seconds);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let cards = 0;
  let lateSends = 0;
  const bodies = Array.from({ length: 64 }, (_, i) => order.patients[(i * 7919) % order.patients.length]!);
  const one = (due: number, patient: string) =>
    new Promise<void>((done) => {
      const body = JSON.stringify(orderSelect(patient));
      const req = httpRequest(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${order.key}`,
            'x-purpose-of-use': 'TREAT',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - due);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            if (res.statusCode === 200)
              cards += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cards: unknown[] }).cards
                .length;
            done();
          });
        },
      );
      req.on('error', () => {
        statuses['error'] = (statuses['error'] ?? 0) + 1;
        done();
      });
      req.end(body);
    });
  // warm-up: a second at a tenth of the rate, not counted
  for (let i = 0; i < Math.max(5, order.rate / 10); i++)
    await one(performance.now(), bodies[i % bodies.length]!);
  latencies.length = 0;
  for (const k of Object.keys(statuses)) delete statuses[k];
  cards = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / order.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -5) lateSends++;
    inFlight.push(one(due, order.patients[Math.floor(Math.random() * order.patients.length)]!));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, statuses, cards, wallMs: performance.now() - start, lateSends };
}

function runDriver(order: DriverOrder): Promise<DriverResult> {
  return new Promise((ok, fail) => {
    const child = fork(__filename, ['--driver'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => ok(m as DriverResult));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`driver exited ${code}`))));
    child.send(order);
  });
}

function residentIdOf(i: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (i % 18_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `420102${birth}${String(Math.floor(i / 18_000) % 1000).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

const rule = ruleEvent;

const ANALYTES: readonly [string, string, string, number][] = [
  ['K', '2823-3', '钾', 7],
  ['NA', '2951-2', '钠', 7],
  ['CL', '2075-0', '氯', 7],
  ['CA', '17861-6', '钙', 7],
  ['MG', '19123-9', '镁', 7],
  ['GLU', '2345-7', '葡萄糖', 30],
  ['TP', '2885-2', '总蛋白', 30],
  ['ALB', '1751-7', '白蛋白', 30],
  ['TBIL', '1975-2', '总胆红素', 30],
  ['ALT', '1742-6', '丙氨酸氨基转移酶', 30],
  ['AST', '1920-8', '天门冬氨酸氨基转移酶', 30],
  ['CREA', '2160-0', '肌酐', 30],
  ['UREA', '3091-6', '尿素', 30],
  ['TG', '2571-8', '甘油三酯', 30],
  ['CHOL', '2093-3', '总胆固醇', 60],
];

function oruOn(day: string, opts: Parameters<typeof oruR01>[0]): string {
  return oruR01(opts).replace(
    /20261123(\d{6})\+0800/g,
    (_m, t: string) => `${day.replace(/-/g, '')}${t}+0800`,
  );
}

async function main(): Promise<void> {
  const patientsN = envInt('BENCH_PATIENTS', 3000, 10);
  const rate = envInt('BENCH_RATE', 200, 1);
  const seconds = envInt('BENCH_SECONDS', 20, 1);
  const directN = envInt('BENCH_DIRECT', 2000, 10);
  const dir = join(process.cwd(), '.tmp', `bench-cds-${process.pid}`);
  const logger = createLogger('bench-cds', 'silent');
  console.log(
    `bench:cds — ${patientsN} patients, ${rate} requests/s for ${seconds} s; ${cpus().length} cores, load ${load()}`,
  );
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg') });
  try {
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('CREATE DATABASE cds_bench');
    await admin.end();
    const url = pg.socketUrl.replace(/\/postgres$/, '/cds_bench');
    const keyer = new PatientKeyer(SECRET);
    const institutions = new InstitutionDirectory([
      { code: 'H001', name: '第一人民医院', apiKeySha256: hashApiKey(KEYS.H001), mllpPort: 1 },
      { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEYS.C002), mllpPort: 2 },
      { code: 'X003', name: '区第三医院', apiKeySha256: hashApiKey(KEYS.X003), mllpPort: 3 },
    ]);

    // 2. rules and results through the real hub
    let t = performance.now();
    const hub = await startHub({
      databaseUrl: url,
      institutions,
      patientKeyer: keyer,
      platformClients: `bench-platform:${hashApiKey('bench-platform-key-0123456789')}`,
      httpPort: 0,
      host: '127.0.0.1',
      logger,
      mllp: { ephemeralPorts: true, idleTimeoutMs: 60_000 },
    });
    await hub.store.append(
      recognitionScopeStream('province:42'),
      [
        rule('RecognitionScopeDefined', {
          scope: 'province:42',
          kind: 'province',
          name: '湖北省',
          mark: '鄂HR',
          higherAcceptsLower: false,
          tight: false,
          effectiveFrom: '2025-01-01',
          members: [
            { institution: 'H001', level: 'tertiary' },
            { institution: 'C002', level: 'primary' },
            { institution: 'X003', level: 'secondary' },
          ],
        }),
      ],
      'any',
    );
    await hub.store.append(
      recognitionCatalogueStream('province:42'),
      [
        rule('RecognitionCatalogueItemsPublished', {
          scope: 'province:42',
          effectiveFrom: '2025-01-01',
          source: '鄂卫通〔2023〕56号',
          items: ANALYTES.map(([code, loinc, name, days]) => ({
            code: `HB-${code}`,
            name,
            kind: 'lab',
            validityDays: days,
            group: 'biochem',
            loinc: [loinc],
            priceYuan: 6,
          })),
        }),
      ],
      'any',
    );
    for (const institution of ['H001', 'X003'])
      await hub.store.append(
        qualityStatusStream(institution),
        [
          rule('QualityStatusRecorded', {
            statusId: `eqa-${institution}`,
            institution,
            groups: ['biochem'],
            scheme: 'EQA',
            validFrom: '2025-01-01',
            validUntil: '2027-12-31',
          }),
        ],
        'any',
      );
    const today = shanghaiDay(new Date());
    const senders = await Promise.all(
      (['H001', 'X003', 'C002'] as const).flatMap((code) =>
        [0, 1].map(() => MllpClient.connect(hub.mllpPorts.get(code)!)),
      ),
    );
    const residentIds = Array.from({ length: patientsN }, (_, i) => residentIdOf(i));
    let sent = 0;
    await Promise.all(
      senders.map(async (mllp, s) => {
        const code = ['H001', 'X003', 'C002'][Math.floor(s / 2)]!;
        for (let i = s % 2; i < patientsN; i += 2) {
          const residentId = residentIds[i]!;
          const message =
            code === 'H001'
              ? oruOn(addDays(today, -(1 + (i % 20))), {
                  controlId: `A-${i}`,
                  accession: `A-${i}`,
                  residentId,
                  count: 15,
                })
              : code === 'X003'
                ? oruOn(addDays(today, -(1 + (i % 60))), {
                    controlId: `C-${i}`,
                    accession: `C-${i}`,
                    residentId,
                    count: 6,
                  })
                : oruOn(today, { controlId: `B-${i}`, accession: `B-${i}`, residentId, count: 1 });
          const ack = await mllp.send(message);
          if (!ack.includes('MSA|AA')) throw new Error(`${code} ${i}: not AA`);
          sent++;
        }
      }),
    );
    await Promise.all(senders.map((m) => m.close()));
    const readPool = new Pool({ connectionString: url, max: 4 });
    readPool.on('error', () => undefined); // an idle client cut by the server's shutdown at the end
    for (;;) {
      const { rows } = await readPool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM rm_recognition_results',
      );
      if (Number(rows[0]!.n) >= sent) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(
      `loaded ${sent} ORU^R01 over MLLP for ${patientsN} patients and projected them in ${fmt((performance.now() - t) / 1000)} s`,
    );
    await hub.stop();

    // 3. platform-api alone
    const apiPool = new Pool({ connectionString: url, max: envInt('PLATFORM_POOL_SIZE', 10, 1) });
    apiPool.on('error', () => undefined);
    const app = await NestFactory.create<NestExpressApplication>(
      PlatformApiModule.register({
        readModelPool: apiPool,
        platformClients: `bench-platform:${hashApiKey('bench-platform-key-0123456789')}`,
        patientKeyer: keyer,
        institutions,
      }),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    configureHttp(app);
    await app.listen(0, '127.0.0.1');
    const apiUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const patients = residentIds.map((r) => keyer.forResidentId(r));

    // 4. the eligibility query alone, then the HTTP load, then the query again
    const eligibility = new RecognitionEligibility(readPool);
    const direct = async () => {
      const ms: number[] = [];
      let results = 0;
      for (let i = 0; i < directN; i++) {
        const patientKey = patients[Math.floor(Math.random() * patients.length)]!;
        const s = performance.now();
        const answer = await eligibility.eligibility({ patientKey, requester: 'C002', asOf: new Date() });
        ms.push(performance.now() - s);
        results += answer.results.length;
      }
      return { ...quantiles(ms), resultsPerPatient: results / directN };
    };
    const before = await direct();
    const cpuBefore = process.cpuUsage();
    const pgBefore = serverCpuMs(join(dir, 'pg'));
    t = performance.now();
    const loadBefore = load();
    const mark = process.hrtime.bigint() / 1000n; // µs, the clock of a --cpu-prof profile
    const http = await runDriver({ url: apiUrl, key: KEYS.C002, patients, rate, seconds });
    if (process.env['BENCH_MARKS'])
      console.log(`http load from ${mark} to ${process.hrtime.bigint() / 1000n} µs (monotonic clock)`);
    const wall = performance.now() - t;
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = serverCpuMs(join(dir, 'pg'));
    const loadAfter = load();
    const after = await direct();
    const q = quantiles(http.latencies);
    const ok = http.statuses['200'] ?? 0;

    console.log('');
    console.log('| measured | n | p50 ms | p90 ms | p99 ms | max ms |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| POST /cds-services/${SERVICE} at ${rate}/s, open loop (from due time) | ${q.n} | ${fmt(q.p50)} | ${fmt(q.p90)} | ${fmt(q.p99)} | ${fmt(q.max)} |`,
    );
    for (const [name, d] of [
      ['before', before],
      ['after', after],
    ] as const)
      console.log(
        `| RecognitionEligibility.eligibility() direct, ${name} the load (${fmt(d.resultsPerPatient)} results/patient) | ${d.n} | ${fmt(d.p50)} | ${fmt(d.p90)} | ${fmt(d.p99)} | ${fmt(d.max)} |`,
      );
    console.log('');
    console.log(
      `statuses ${JSON.stringify(http.statuses)}; ${fmt(ok / (http.wallMs / 1000))} answered/s; ${fmt(http.cards / Math.max(1, ok), 2)} cards per answer; ${http.lateSends} sends > 5 ms late`,
    );
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const pgMs = pgBefore !== undefined && pgAfter !== undefined ? pgAfter - pgBefore : undefined;
    console.log(
      `platform-api process CPU ${fmt((cpuMs / wall) * 100, 0)} % of a core; PostgreSQL ${pgMs !== undefined ? `${fmt((pgMs / wall) * 100, 0)} %` : 'n/a'}; load ${loadBefore} → ${loadAfter}`,
    );
    // less sensitive to the machine's other load than the latencies
    console.log(
      `CPU per answer: platform-api ${fmt(cpuMs / Math.max(1, q.n), 2)} ms, PostgreSQL ${pgMs !== undefined ? `${fmt(pgMs / Math.max(1, q.n), 2)} ms` : 'n/a'}`,
    );
    console.log(`goal p99 ≤ 50 ms: ${q.p99 <= 50 && ok === q.n ? 'met' : 'NOT met'}`);
    await app.close();
    await Promise.all([readPool.end(), apiPool.end()]);
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--driver')) {
  process.once('message', (order) => {
    drive(order as DriverOrder)
      .then((r) => process.send!(r, () => process.exit(0)))
      .catch((e: unknown) => {
        console.error(e);
        process.exit(1);
      });
  });
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
