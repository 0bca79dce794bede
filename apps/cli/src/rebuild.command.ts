import type { Command } from 'commander';
import { Pool } from 'pg';
import { assertYilianStore, PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, compareSchemas, ProjectionRunner, replayLog } from '@yilian/projections';
import { Progress } from './progress';
import { type SwapResult, swapReadModels } from './read-model-swap';
import { storeUrl } from './store-url';
import { EXIT, UsageError } from './usage-error';

interface RebuildOptions {
  store?: string;
  readModels?: string;
  schema: string;
  swap?: boolean;
  lockTimeout: string;
  json?: boolean;
}

export function rebuildCommand(program: Command): void {
  program
    .command('rebuild')
    .description(
      'replay the whole log from position 0 into fresh tables (a scratch schema) and compare each read-model table with the live one: row count and content checksum; then drop the scratch schema, or with --swap put the rebuilt tables in place of the live ones. Exit 0 same (or swapped), 1 different',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .option(
      '--read-models <url>',
      'PostgreSQL URL of the live read models (default: READ_MODEL_DATABASE_URL)',
    )
    .option('--schema <name>', 'the live read models’ schema', 'public')
    .option(
      '--swap',
      'after the comparison, replace the live tables (and their projector positions) by the rebuilt ones in one transaction; live projectors may keep running',
    )
    .option('--lock-timeout <seconds>', 'with --swap: longest wait for the live tables’ locks', '30')
    .option('--json', 'one JSON report on stdout')
    .action(async (options: RebuildOptions) => {
      process.exitCode = await runRebuild(options);
    });
}

async function runRebuild(options: RebuildOptions): Promise<number> {
  const readModelUrl = storeUrl(options.readModels, 'READ_MODEL_DATABASE_URL', '--read-models');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    throw new UsageError(`--schema must be a plain lower-case name, not ${JSON.stringify(options.schema)}`);
  const lockTimeout = Number(options.lockTimeout);
  if (!(lockTimeout > 0))
    throw new UsageError(
      `--lock-timeout must be a number of seconds, not ${JSON.stringify(options.lockTimeout)}`,
    );
  const store = new PostgresEventStore({ connectionString: storeUrl(options.store), poolSize: 2 });
  const progress = new Progress('rebuild', { json: options.json === true });
  const scratch = `rebuild_${Date.now().toString(36)}`;
  const admin = new Pool({ connectionString: readModelUrl, max: 1 });
  const pool = new Pool({ connectionString: readModelUrl, max: 2, options: `-c search_path=${scratch}` });
  let created = false;
  try {
    const client = await store.pool.connect();
    try {
      await assertYilianStore(client);
    } finally {
      client.release();
    }
    const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM yl_events');
    const total = Number(rows[0]!.n);
    await admin.query(`CREATE SCHEMA ${scratch}`);
    created = true;
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    // to the log's head as it is now (an empty page short of it is waited out), the next page
    // read while one is applied
    let done = 0;
    const rebuilt = await replayLog(store, runner, undefined, {
      onBatch: (n) => progress.update((done += n), total),
    });
    progress.finish(done, total);
    const tables = await compareSchemas(admin, options.schema, scratch);
    const identical = tables.every((t) => t.same);
    let swap: SwapResult | undefined;
    if (options.swap) {
      swap = await swapReadModels({
        url: readModelUrl,
        live: options.schema,
        rebuilt: scratch,
        store,
        runner,
        after: rebuilt.after,
        lockTimeoutMs: lockTimeout * 1000,
      });
      created = false;
    }
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ events: rebuilt.events, tables, identical, ...(swap ? { swapped: swap } : {}) })}\n`,
      );
    else {
      process.stdout.write(`rebuilt from ${rebuilt.events} events; live schema ${options.schema}\n`);
      for (const t of tables)
        process.stdout.write(
          `${t.same ? 'same     ' : 'DIFFERENT'} ${t.table}: ${t.rows} rows rebuilt, ${t.liveRows ?? 'no table'} live${t.same ? '' : t.rows === t.liveRows ? ' (same count, different content)' : ''}\n`,
        );
      process.stdout.write(
        identical ? 'every table is the same\n' : 'the live read models differ from the log\n',
      );
      if (swap)
        process.stdout.write(
          `swapped: ${swap.tables.length} tables of schema ${options.schema} replaced by the rebuilt ones, up to position ${swap.position ?? '(none)'} (${swap.caughtUp} events applied after the comparison)${swap.consumers.length > 0 ? `; checkpoint of ${swap.consumers.join(', ')} set there` : ''}\n`,
        );
    }
    return identical || swap ? EXIT.ok : EXIT.broken;
  } finally {
    await pool.end();
    if (created) await admin.query(`DROP SCHEMA ${scratch} CASCADE`).catch(() => undefined);
    await admin.end();
    await store.close();
  }
}
