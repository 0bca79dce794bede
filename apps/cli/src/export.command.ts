import { once } from 'node:events';
import type { Command } from 'commander';
import { Client } from 'pg';
import { parsePosition, formatPosition, type GlobalPosition } from '@yilian/contracts';
import { assertYilianStore, readLogPages, type StoredEvent } from '@yilian/event-store';
import { Progress } from './progress';
import { parseInstant } from './instant';
import { storeUrl } from './store-url';
import { EXIT, UsageError } from './usage-error';

interface ExportOptions {
  store?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export function exportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'the log as NDJSON on stdout, in global order, one event a line with its hashes and its data and metadata exactly as stored',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .option('--from <position>', 'first global position, commit/prepare (inclusive)')
    .option('--to <instant>', 'only events recorded at or before this ISO 8601 instant')
    .option('--json', 'progress as JSON lines on stderr')
    .action(async (options: ExportOptions) => {
      process.exitCode = await runExport(options);
    });
}

/** One NDJSON line; data and metadata are the stored JSON texts, embedded as they are (the
 * hashes are over them, so an auditor can recompute them from the export). */
export function exportLine(e: StoredEvent): string {
  return (
    `{"position":${JSON.stringify(formatPosition(e.position))},"stream":${JSON.stringify(e.stream)},` +
    `"revision":${e.streamPosition},"id":${JSON.stringify(e.eventId)},"type":${JSON.stringify(e.type)},` +
    `"schemaVersion":${e.schemaVersion},"recordedAt":${JSON.stringify(e.recordedAt.toISOString())},` +
    `"hash":${JSON.stringify(e.hash)},"previousHash":${JSON.stringify(e.previousHash)},` +
    `"data":${e.data},"metadata":${e.metadata}}\n`
  );
}

function startAfter(from: string | undefined): GlobalPosition | undefined {
  if (from === undefined) return undefined;
  let p: GlobalPosition;
  try {
    p = parsePosition(from);
  } catch {
    throw new UsageError(
      `--from must be a global position commit/prepare (as verify prints), not ${JSON.stringify(from)}`,
    );
  }
  // inclusive: start just before it
  return p.prepare > 0n
    ? { commit: p.commit, prepare: p.prepare - 1n }
    : { commit: p.commit - 1n, prepare: 2n ** 62n };
}

async function runExport(options: ExportOptions): Promise<number> {
  const after = startAfter(options.from);
  const recordedUpTo = options.to === undefined ? undefined : parseInstant(options.to, '--to');
  const client = new Client({ connectionString: storeUrl(options.store) });
  await client.connect();
  const progress = new Progress('export', { json: options.json === true });
  let done = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await assertYilianStore(client);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM yl_events');
    const total = Number(rows[0]!.n);
    for await (const page of readLogPages(client, {
      ...(after ? { after } : {}),
      ...(recordedUpTo ? { recordedUpTo } : {}),
    })) {
      const chunk = page.map(exportLine).join('');
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
      done += page.length;
      progress.update(done, total);
    }
    await client.query('COMMIT');
    progress.finish(done, total);
  } finally {
    await client.end();
  }
  return EXIT.ok;
}
