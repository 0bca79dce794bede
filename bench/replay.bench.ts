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
 *    (c) Reads the whole log again (the cache as warm as the rebuild had it).
 *    Each: events/s, CPU per event of this process and of PostgreSQL, load average.
 * 4. Prints a table and the ratio rebuild ÷ raw read against the 50 % goal. The read database is
 *    left complete in DIR: `npm run bench:query -- --keep DIR` measures queries on it.
 *
 * Flags: --events N (1000000) --patients N (100000) --keep DIR --timeout-s N (3600)
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

/** µs of CPU per event, measured on a loaded 2-core machine (bench runs of 2026-12-07): the
 * estimate printed before each pass. */
const ESTIMATE_US = { append: 600, read: 40, rebuild: 1500 };

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `bench:replay · ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GB · ` +
      `Node ${process.version} · load ${load()}\n` +
      `store ≥ ${fmt(EVENTS)} events for ${fmt(PATIENTS)} patients${KEEP ? ` (kept in ${KEEP})` : ''}; ` +
      `rebuild of ${ALL_PROJECTIONS.length} projections: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`,
  );
  const estimate = (us: number) =>
    `≈ ${fmt((EVENTS * us) / 1e6 / 60 / cpu.length, 0)}–${fmt((EVENTS * us) / 1e6 / 60, 0)} min`;
  console.log(
    `estimate (2 loaded cores): build ${estimate(ESTIMATE_US.append)} (none when kept), read ${estimate(ESTIMATE_US.read)} ×2, ` +
      `rebuild ${estimate(ESTIMATE_US.rebuild)}; stops after --timeout-s ${TIMEOUT_MS / 1000}`,
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

    log('(a) raw read-all …');
    const read1 = await readWholeLog(province, total);
    log(`(a) ${line(read1)}`);
    log(`(b) rebuild of every read model into a fresh database …`);
    const rebuild = await rebuildReadModels(province, total, catchUp);
    log(`(b) ${line(rebuild)}`);
    log('(c) raw read-all again …');
    const read2 = await readWholeLog(province, total);
    log(`(c) ${line(read2)}`);
    if (rebuild.events !== total || read1.events !== total || read2.events !== total)
      throw new Error(
        `events read differ: store ${total}, read ${read1.events}/${read2.events}, rebuild ${rebuild.events}`,
      );

    const rate = (f: PassFigures) => f.events / f.seconds;
    const bestRead = Math.max(rate(read1), rate(read2));
    const ratio = rate(rebuild) / bestRead;
    const rows = [
      ['(a) raw read-all (readAll pages of 1,000)', read1],
      ['(b) rebuild, ALL_PROJECTIONS (readAll + applyBatch)', rebuild],
      ['(c) raw read-all again', read2],
    ] as const;
    console.log('');
    console.log('| pass | events | seconds | events/s | CPU µs/event Node / PG | load before → after |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    for (const [what, f] of rows)
      console.log(
        `| ${what} | ${fmt(f.events)} | ${f.seconds.toFixed(1)} | ${fmt(rate(f))} | ` +
          `${fmt(f.nodeUsPerEvent)} / ${f.pgUsPerEvent !== undefined ? fmt(f.pgUsPerEvent) : '-'} | ${f.loadBefore} → ${f.loadAfter} |`,
      );
    console.log('');
    console.log('read models rebuilt (rows, size with indexes):');
    for (const t of rebuild.tables) console.log(`  ${t.table}: ${fmt(t.rows)} rows, ${t.size}`);
    console.log('');
    const cpuRatio =
      (read1.nodeUsPerEvent + (read1.pgUsPerEvent ?? 0)) /
      (rebuild.nodeUsPerEvent + (rebuild.pgUsPerEvent ?? 0));
    console.log(
      `rebuild ${fmt(rate(rebuild))} events/s ÷ raw read ${fmt(bestRead)} events/s (the faster of (a), (c)) = ${(ratio * 100).toFixed(1)} % ` +
        `(by CPU per event, Node + PG: ${(cpuRatio * 100).toFixed(1)} %); goal ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'NOT met'} · ` +
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
