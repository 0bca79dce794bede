/*
 * npm run bench:replay — a full rebuild of every read model beside the raw read-all rate of the
 * same store in the same run (issue 15: goal rebuild ≥ 50 % of raw read).
 *
 * 1. Starts its own embedded PostgreSQL (under .tmp, removed after; loopback only; or kept in
 *    `--keep DIR`): the event store in one database, the read models in another, as deployed.
 * 2. Builds the store of bench/lib/province-store.ts (bench/recognition-workload.ts: ≥ 1,000,000
 *    events for ≥ 100,000 patients by default, through the intake's mappers and deciders), or
 *    reuses the one kept in DIR.
 * 3. (a) Reads the whole log with the store's `readAll`, pages of 1,000, nothing done with them.
 *    (b) Rebuilds ALL_PROJECTIONS (libs/projections/src/registry.ts) from position 0 into a fresh
 *    read database by the CLI rebuild's path (`ProjectionRunner.applyBatch` per `readAll` page).
 *    (c) With --read-again, reads the whole log again (the cache as warm as the rebuild had it).
 *    Each: events/s, CPU per event of this process and of PostgreSQL, load average.
 * 4. Prints a table and the ratio rebuild ÷ raw read against the 50 % goal. The read database is
 *    left complete in DIR: `npm run bench:query -- --keep DIR` measures queries on it.
 *
 * Flags: --events N (1000000) --patients N (100000) --keep DIR --timeout-s N (3600)
 *        --rebuild-s N (a rebuild longer than N s — or than what --timeout-s leaves — stops after
 *        its page; the rate is then over the events done, and said so) --read-again
 *        --projections a,b (rebuild only these read models, by name: what each costs alone)
 * Smoke check: npm run bench:replay -- --events 50000 --patients 5000
 */
import { cpus, totalmem } from 'node:os';
import { ALL_PROJECTIONS } from '@yilian/projections';
import { catchUp } from '../apps/cli/src/read-model-swap';
import {
  flag,
  fmt,
  load,
  log,
  openProvinceStore,
  type PassFigures,
  type ProvinceStore,
  readWholeLog,
  rebuildReadModels,
  textFlag,
} from './lib/province-store';

const EVENTS = flag('events', 1_000_000, 1000);
const PATIENTS = flag('patients', 100_000, 100);
const TIMEOUT_MS = flag('timeout-s', 3600, 10) * 1000;
const KEEP = textFlag('keep');
const REBUILD_S = flag('rebuild-s', 0, 0);
const READ_AGAIN = process.argv.includes('--read-again');
/** --projections a,b: rebuild only these (by name) — what each read model costs alone. */
const ONLY = textFlag('projections')
  ?.split(',')
  .map((n) => n.trim());
const PROJECTIONS = ONLY
  ? ONLY.map((n) => {
      const p = ALL_PROJECTIONS.find((x) => x.name === n);
      if (!p)
        throw new Error(
          `--projections: no projection ${n} (${ALL_PROJECTIONS.map((x) => x.name).join(', ')})`,
        );
      return p;
    })
  : ALL_PROJECTIONS;
const REBUILT = ONLY ? ONLY.join(' + ') : 'ALL_PROJECTIONS';

/** Wall time per event on this machine with other sessions' work on it (load ≈ 13; smoke run
 * of 2026-12-07, 20,473 events): the estimate printed before the run. Roughly half on a quiet
 * machine. */
const ESTIMATE_US = { append: 1100, read: 350, rebuild: 3800 };

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus();
  console.log(
    `bench:replay · ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ` +
      `Node ${process.version} · load ${load()}\n` +
      `store ≥ ${fmt(EVENTS)} events for ${fmt(PATIENTS)} patients${KEEP ? ` (kept in ${KEEP})` : ''}; ` +
      `rebuild of ${PROJECTIONS.length} projections: ${PROJECTIONS.map((p) => p.name).join(', ')}`,
  );
  const min = (us: number) => `≈ ${fmt((EVENTS * us) / 1e6 / 60, 0)} min`;
  console.log(
    `estimate at load ≈ 13 (about half on a quiet machine): build ${min(ESTIMATE_US.append)} (none when kept), ` +
      `read ${min(ESTIMATE_US.read)}${READ_AGAIN ? ' ×2' : ''}, rebuild ${min(ESTIMATE_US.rebuild)}` +
      `${REBUILD_S ? ` (stopped at ${REBUILD_S} s)` : ''}; the whole run stops after --timeout-s ${TIMEOUT_MS / 1000}`,
  );
  let province: ProvinceStore | undefined;
  const deadline = setTimeout(() => {
    console.error(`bench:replay: over ${TIMEOUT_MS / 1000} s, stopping`);
    void (province?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, TIMEOUT_MS);
  try {
    province = await openProvinceStore({ bench: 'replay', keep: KEEP, events: EVENTS, patients: PATIENTS });
    const total = province.marker.storeEvents;
    log(`store: ${fmt(total)} events for ${fmt(province.marker.patients)} patients`);

    const passes: [string, PassFigures][] = [];
    log('(a) raw read-all …');
    const read1 = await readWholeLog(province, total);
    passes.push(['(a) raw read-all (readAll pages of 1,000)', read1]);
    log(`(a) ${line(read1)}`);
    log(`(b) rebuild of every read model into a fresh database …`);
    // bounded: the rebuild stops in time for the run to end within --timeout-s (and at --rebuild-s)
    const left = (TIMEOUT_MS - (performance.now() - started)) / 1000 - 120;
    const budgetS = Math.max(10, Math.min(REBUILD_S || Infinity, left));
    log(`(b) rebuild budget ${fmt(budgetS)} s: at ${fmt(total / budgetS)} events/s or more it completes`);
    const rebuild = await rebuildReadModels(province, total, catchUp, { budgetS, projections: PROJECTIONS });
    passes.push([
      `(b) rebuild, ${REBUILT} (readAll + applyBatch)${rebuild.complete ? '' : `, stopped at its budget of ${fmt(budgetS)} s`}`,
      rebuild,
    ]);
    log(`(b) ${line(rebuild)}`);
    if (READ_AGAIN) {
      log('(c) raw read-all again …');
      const read2 = await readWholeLog(province, total);
      passes.push(['(c) raw read-all again', read2]);
      log(`(c) ${line(read2)}`);
    }
    const reads = passes.filter(([what]) => what.includes('raw')).map(([, f]) => f);
    if (reads.some((f) => f.events !== total) || (rebuild.complete && rebuild.events !== total))
      throw new Error(
        `events read differ: store ${total}, read ${reads.map((f) => f.events).join('/')}, rebuild ${rebuild.events}`,
      );

    const rate = (f: PassFigures) => f.events / f.seconds;
    const best = reads.reduce((a, b) => (rate(b) > rate(a) ? b : a));
    const ratio = rate(rebuild) / rate(best);
    console.log('');
    console.log('| pass | events | seconds | events/s | CPU µs/event Node / PG | load before → after |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const [what, f] of passes)
      console.log(
        `| ${what} | ${fmt(f.events)} | ${f.seconds.toFixed(1)} | ${fmt(rate(f))} | ` +
          `${fmt(f.nodeUsPerEvent)} / ${f.pgUsPerEvent !== undefined ? fmt(f.pgUsPerEvent) : '-'} | ${f.loadBefore} → ${f.loadAfter} |`,
      );
    console.log('');
    console.log('read models rebuilt (rows, size with indexes):');
    for (const t of rebuild.tables) console.log(`  ${t.table}: ${fmt(t.rows)} rows, ${t.size}`);
    console.log('');
    const cpuOf = (f: PassFigures) => f.nodeUsPerEvent + (f.pgUsPerEvent ?? 0);
    console.log(
      `rebuild ${fmt(rate(rebuild))} events/s${rebuild.complete ? '' : ` (over the first ${fmt(rebuild.events)} of ${fmt(total)} events: stopped at its budget)`} ÷ ` +
        `raw read ${fmt(rate(best))} events/s${reads.length > 1 ? ' (the faster read)' : ''} = ${(ratio * 100).toFixed(1)} % ` +
        `(by CPU per event, Node + PG: ${((cpuOf(best) / cpuOf(rebuild)) * 100).toFixed(1)} %); goal ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'NOT met'} · ` +
        `store ${fmt(total)} events, ${fmt(province.marker.patients)} patients · load ${load()}`,
    );
  } finally {
    clearTimeout(deadline);
    await province?.stop();
  }
}

function line(f: PassFigures): string {
  return (
    `${fmt(f.events)} events in ${f.seconds.toFixed(1)} s = ${fmt(f.events / f.seconds)} events/s · ` +
    `${fmt(f.nodeUsPerEvent)} µs CPU/event in Node, ${f.pgUsPerEvent !== undefined ? fmt(f.pgUsPerEvent) : '?'} µs in PostgreSQL · load ${f.loadAfter}`
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench:replay failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
