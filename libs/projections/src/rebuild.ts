import { type Client, Pool } from 'pg';
import { comparePositions, type GlobalPosition, type RecordedEvent } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

/** Tables that belong to the consumer, not the read model: they differ by design. */
const BOOKKEEPING = new Set(['rm_checkpoints']);

export interface TableComparison {
  readonly table: string;
  readonly rows: number;
  /** null: the live schema has no such table */
  readonly liveRows: number | null;
  readonly same: boolean;
}

export interface RebuildComparison {
  readonly events: number;
  readonly tables: readonly TableComparison[];
  readonly identical: boolean;
}

export interface ReplayOptions {
  /** Events per readAll page, one applyBatch transaction each (1000). */
  readonly pageSize?: number;
  /** Told each page's size once it is applied. */
  readonly onBatch?: (events: number) => void;
  /** How long an empty page short of the head is waited out (an open transaction on the
   * server hides what was committed after it) before giving up with an error (60 s). */
  readonly waitMs?: number;
}

/**
 * Feeds `runner` every event of the log after `after` (all when undefined), one `applyBatch`
 * transaction per `readAll` page (the projector's path), up to the head of the log as it was
 * when the replay started — an empty page before it is not the end (PostgreSQL's readAll stops
 * below the oldest transaction open on the server), so it is waited out. The next page is read
 * while the current one is applied. A store without `headPosition`: an empty page is the end.
 * Returns the events applied and the position of the last.
 */
export async function replayLog(
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  runner: ProjectionRunner,
  from?: GlobalPosition,
  options: ReplayOptions = {},
): Promise<{ events: number; after: GlobalPosition | undefined }> {
  const head = await store.headPosition?.();
  const pageSize = options.pageSize ?? 1000;
  const waitMs = options.waitMs ?? 60_000;
  const done = (at: GlobalPosition | undefined) =>
    head === undefined ? false : at !== undefined && comparePositions(at, head) >= 0;
  const read = (at: GlobalPosition | undefined): Promise<RecordedEvent[]> => {
    const page = store.readAll({ ...(at ? { after: at } : {}), maxCount: pageSize });
    page.catch(() => undefined); // read ahead: awaited below, or dropped with the replay's error
    return page;
  };
  let after = from;
  let events = 0;
  if (head !== undefined && done(after)) return { events, after };
  if (store.headPosition && head === undefined) return { events, after }; // an empty log
  let next = read(after);
  let waitingSince: number | undefined;
  for (;;) {
    const batch = await next;
    if (batch.length === 0) {
      if (head === undefined) return { events, after };
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince > waitMs)
        throw new Error(
          `replay: the log's head (${head.commit}/${head.prepare}) not readable after ${waitMs} ms at ` +
            `${after ? `${after.commit}/${after.prepare}` : 'the start'}: a transaction still open on the store's server hides the events after it`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
      next = read(after);
      continue;
    }
    waitingSince = undefined;
    after = batch[batch.length - 1]!.position;
    const last = done(after);
    if (!last) next = read(after);
    await runner.applyBatch(batch);
    events += batch.length;
    options.onBatch?.(batch.length);
    if (last) return { events, after };
  }
}

/**
 * Replays the whole log from position 0 into a scratch schema of the read-model database and
 * compares every read-model table with the live one, row for row. Proves a rebuild gives the
 * same tables as the live run. The scratch schema is dropped afterwards.
 */
export async function rebuildAndCompare(args: {
  store: EventStore;
  readModelUrl: string;
  projections: readonly Projection[];
  liveSchema?: string;
}): Promise<RebuildComparison> {
  const scratch = `rebuild_${Date.now().toString(36)}`;
  const live = args.liveSchema ?? 'public';
  const admin = new Pool({ connectionString: args.readModelUrl, max: 1 });
  await admin.query(`CREATE SCHEMA ${scratch}`);
  const pool = new Pool({
    connectionString: args.readModelUrl,
    max: 2,
    options: `-c search_path=${scratch}`,
  });
  try {
    const runner = new ProjectionRunner(pool, args.projections);
    await runner.migrate();
    const { events } = await replayLog(args.store, runner);
    const tables = await compareSchemas(admin, live, scratch);
    return { events, tables, identical: tables.every((t) => t.same) };
  } finally {
    await pool.end();
    await admin.query(`DROP SCHEMA ${scratch} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

export async function tablesOf(db: Pool | Client, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

/** Each read-model table of `rebuilt` against the same table of `live`: row count and an md5
 * over its sorted rows, each as jsonb — by column name, not position, and json columns in
 * jsonb's canonical form, so that a live table an upgrade altered in place (a column added at
 * the end, a jsonb column made json) compares equal to a fresh one with the same content. The
 * consumers' bookkeeping (`rm_checkpoints`) differs by design. */
export async function compareSchemas(db: Pool, live: string, rebuilt: string): Promise<TableComparison[]> {
  const liveTables = new Set(await tablesOf(db, live));
  const digest = async (schema: string, table: string) =>
    (
      await db.query<{ n: string; digest: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(r, E'\\n' ORDER BY r)) AS digest
           FROM (SELECT to_jsonb(t)::text AS r FROM ${schema}.${table} t) AS rows`,
      )
    ).rows[0]!;
  const out: TableComparison[] = [];
  for (const table of await tablesOf(db, rebuilt)) {
    if (BOOKKEEPING.has(table)) continue;
    const [b, a] = await Promise.all([
      digest(rebuilt, table),
      liveTables.has(table) ? digest(live, table) : undefined,
    ]);
    out.push({
      table,
      rows: Number(b.n),
      liveRows: a ? Number(a.n) : null,
      same: a !== undefined && a.n === b.n && a.digest === b.digest,
    });
  }
  return out;
}
