import type { Command } from 'commander';
import { Pool } from 'pg';
import { assertYilianStore, type EventStore, PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { Progress } from './progress';
import { storeUrl } from './store-url';
import { EXIT } from './usage-error';

interface RebuildOptions {
  store?: string;
  readModels?: string;
  schema: string;
  json?: boolean;
}

export function rebuildCommand(program: Command): void {
  program
    .command('rebuild')
    .description(
      'replay the whole log from position 0 into fresh tables (a scratch schema, dropped after) and compare each read-model table with the live one: row count and content checksum. Exit 0 same, 1 different',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .option(
      '--read-models <url>',
      'PostgreSQL URL of the live read models (default: READ_MODEL_DATABASE_URL)',
    )
    .option('--schema <name>', 'the live read models’ schema', 'public')
    .option('--json', 'one JSON report on stdout')
    .action(async (options: RebuildOptions) => {
      process.exitCode = await runRebuild(options);
    });
}

async function runRebuild(options: RebuildOptions): Promise<number> {
  const readModelUrl = storeUrl(options.readModels, 'READ_MODEL_DATABASE_URL', '--read-models');
  const store = new PostgresEventStore({ connectionString: storeUrl(options.store), poolSize: 2 });
  const progress = new Progress('rebuild', { json: options.json === true });
  try {
    const client = await store.pool.connect();
    try {
      await assertYilianStore(client);
    } finally {
      client.release();
    }
    const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM yl_events');
    const total = Number(rows[0]!.n);
    let done = 0;
    // the store's reads, counted on their way to the projections
    const counted: Pick<EventStore, 'readAll'> = {
      readAll: async (o) => {
        const batch = await store.readAll(o);
        done += batch.length;
        progress.update(done, total);
        return batch;
      },
    };
    const result = await rebuildAndCompare({
      store: counted as EventStore,
      readModelUrl,
      projections: ALL_PROJECTIONS,
      liveSchema: options.schema,
    });
    progress.finish(done, total);
    const tables = await withLiveCounts(readModelUrl, options.schema, result.tables);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...result, tables })}\n`);
    else {
      process.stdout.write(`rebuilt from ${result.events} events; live schema ${options.schema}\n`);
      for (const t of tables)
        process.stdout.write(
          `${t.same ? 'same     ' : 'DIFFERENT'} ${t.table}: ${t.rows} rows rebuilt, ${t.liveRows} live${t.same ? '' : t.rows === t.liveRows ? ' (same count, different content)' : ''}\n`,
        );
      process.stdout.write(
        result.identical ? 'every table is the same\n' : 'the live read models differ from the log\n',
      );
    }
    return result.identical ? EXIT.ok : EXIT.broken;
  } finally {
    await store.close();
  }
}

async function withLiveCounts<T extends { readonly table: string }>(
  url: string,
  schema: string,
  tables: readonly T[],
): Promise<(T & { liveRows: number | null })[]> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const out = [];
    for (const t of tables) {
      const { rows } = await pool
        .query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.${t.table}`)
        .catch(() => ({ rows: [] as { n: string }[] }));
      out.push({ ...t, liveRows: rows[0] ? Number(rows[0].n) : null });
    }
    return out;
  } finally {
    await pool.end();
  }
}
