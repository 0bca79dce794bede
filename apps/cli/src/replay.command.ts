import type { Command } from 'commander';
import { Client, Pool } from 'pg';
import { assertYilianStore, readLogPages, toRecordedEvent } from '@yilian/event-store';
import { ALL_PROJECTIONS, ProjectionRunner } from '@yilian/projections';
import { parseInstant } from './instant';
import { Progress } from './progress';
import { storeUrl } from './store-url';
import { EXIT, UsageError } from './usage-error';

interface ReplayOptions {
  store?: string;
  to?: string;
  into?: string;
  schema: string;
  json?: boolean;
}

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'the read models as the hub knew them at an instant: every event recorded up to --to, replayed in global order into a fresh schema of --into',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .requiredOption('--to <instant>', 'ISO 8601 instant with its offset: events recorded at or before it')
    .requiredOption('--into <url>', 'PostgreSQL URL of the database to replay into')
    .option('--schema <name>', 'the schema to create the read models in; must hold no table', 'public')
    .option('--json', 'one JSON report on stdout')
    .action(async (options: ReplayOptions) => {
      process.exitCode = await runReplay(options);
    });
}

async function runReplay(options: ReplayOptions): Promise<number> {
  const to = parseInstant(options.to!, '--to');
  const into = storeUrl(options.into, 'READ_MODEL_DATABASE_URL', '--into');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema))
    throw new UsageError(`--schema must be a plain lower-case name, not ${JSON.stringify(options.schema)}`);
  const admin = new Pool({ connectionString: into, max: 1 });
  const pool = new Pool({ connectionString: into, max: 2, options: `-c search_path=${options.schema}` });
  const client = new Client({ connectionString: storeUrl(options.store) });
  await client.connect();
  const progress = new Progress('replay', { json: options.json === true });
  try {
    const { rows: existing } = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1`,
      [options.schema],
    );
    if (Number(existing[0]!.n) > 0)
      throw new UsageError(
        `schema ${options.schema} of --into already holds ${existing[0]!.n} table(s): replay needs a fresh one`,
      );
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await assertYilianStore(client);
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM yl_events WHERE recorded_at <= $1',
      [to],
    );
    const total = Number(rows[0]!.n);
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    let done = 0;
    for await (const page of readLogPages(client, { recordedUpTo: to, pageSize: 1000 })) {
      await runner.applyBatch(page.map(toRecordedEvent));
      done += page.length;
      progress.update(done, total);
    }
    await client.query('COMMIT');
    progress.finish(done, total);
    const { rows: tables } = await admin.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [options.schema],
    );
    const counts = [];
    for (const { table_name: table } of tables) {
      const { rows: n } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${options.schema}.${table}`,
      );
      counts.push({ table, rows: Number(n[0]!.n) });
    }
    const report = { to: to.toISOString(), events: done, schema: options.schema, tables: counts };
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `replayed ${done} events recorded up to ${report.to} into schema ${options.schema}\n`,
      );
      for (const t of counts) process.stdout.write(`  ${t.table}: ${t.rows} rows\n`);
    }
    return EXIT.ok;
  } finally {
    await client.end();
    await pool.end();
    await admin.end();
  }
}
