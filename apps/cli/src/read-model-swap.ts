import { Client } from 'pg';
import { formatPosition, type GlobalPosition } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import { type ProjectionRunner, replayLog, tablesOf } from '@yilian/projections';

/** Tables that belong to the consumer, not the read model: compared by nobody, swapped with
 * the rest (their rows say where each projector goes on from). */
/** Every projector transaction starts on it (`applyBatch`, `apply`): locked first. */
const POSITIONS = 'rm_stream_positions';

/** Feeds the runner every event after `after` (all from position 0 when undefined), a
 * transaction per page, until the log's committed prefix is exhausted: `replayLog` without the
 * head (under the swap's locks a projector waiting on them holds the head back). */
export function catchUp(
  store: Pick<EventStore, 'readAll'>,
  runner: ProjectionRunner,
  after: GlobalPosition | undefined,
): Promise<{ after: GlobalPosition | undefined; events: number }> {
  return replayLog({ readAll: (o) => store.readAll(o) }, runner, after);
}

export interface SwapResult {
  /** Events applied to the rebuilt tables after the comparison, the last of them while the
   * live tables were locked. */
  readonly caughtUp: number;
  /** The global position the swapped-in tables hold everything up to. */
  readonly position: string | undefined;
  readonly tables: string[];
  /** Consumers whose global checkpoint (`rm_checkpoints`) now says `position`. */
  readonly consumers: string[];
}

/**
 * Replaces the live read-model tables by the rebuilt ones in ONE transaction on the live
 * database. A projector may apply concurrently: the transaction first takes ACCESS EXCLUSIVE
 * locks on the live tables, `rm_stream_positions` first — the table every projector
 * transaction reads first — so a projector transaction in flight finishes before and the
 * next one waits until after the swap (then runs against the new tables, which PostgreSQL
 * resolves again by name). With the live side held still, the rebuilt tables are caught up to
 * the log's committed prefix, which is at least what any projector has applied; the
 * in-process projectors' checkpoints are set to that position, and Kafka projectors go on
 * from their offsets, the per-stream positions of the rebuilt `rm_stream_positions` skipping
 * what the rebuild already holds. Then live → a scratch schema, rebuilt → live, the old
 * tables dropped (RESTRICT: a view or a foreign key from elsewhere fails the swap instead of
 * being dropped with them). Readers of the read models wait for the locks, a moment.
 */
export async function swapReadModels(args: {
  readonly url: string;
  readonly live: string;
  readonly rebuilt: string;
  readonly store: Pick<EventStore, 'readAll'>;
  readonly runner: ProjectionRunner;
  readonly after: GlobalPosition | undefined;
  readonly lockTimeoutMs: number;
}): Promise<SwapResult> {
  const { live, rebuilt } = args;
  // what came in since the rebuild, before anything is locked: the locked part stays short
  let { after, events: caughtUp } = await catchUp(args.store, args.runner, args.after);
  const client = new Client({ connectionString: args.url });
  await client.connect();
  const old = `${rebuilt}_old`;
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(args.lockTimeoutMs))}`);
    const tables = await tablesOf(client, rebuilt);
    const liveTables = new Set(await tablesOf(client, live));
    const replaced = tables
      .filter((t) => liveTables.has(t))
      .sort((a, b) => (a === POSITIONS ? -1 : b === POSITIONS ? 1 : a.localeCompare(b)));
    try {
      if (replaced.length > 0)
        await client.query(
          `LOCK TABLE ${replaced.map((t) => `${live}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`,
        );
    } catch (e) {
      if ((e as { code?: string }).code === '55P03')
        throw new Error(
          `could not lock the live read models within ${args.lockTimeoutMs} ms (a long transaction on them?); nothing swapped`,
        );
      throw e;
    }
    // To the committed prefix readAll shows now, not to the log's head: a projector transaction
    // waiting for these locks may hold back the prefix (read models and store on one server), and
    // waiting for the head would wait for it. The prefix only grows, and no projector applied
    // beyond what it showed them, so it covers everything applied live.
    const last = await catchUp(args.store, args.runner, after);
    after = last.after;
    caughtUp += last.events;
    const consumers: string[] = [];
    if (liveTables.has('rm_checkpoints') && after) {
      const { rows } = await client.query<{ consumer: string }>(
        `INSERT INTO ${rebuilt}.rm_checkpoints (consumer, position, updated_at)
         SELECT consumer, $1, now() FROM ${live}.rm_checkpoints
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = now()
         RETURNING consumer`,
        [formatPosition(after)],
      );
      consumers.push(...rows.map((r) => r.consumer));
    }
    await client.query(`CREATE SCHEMA ${old}`);
    for (const t of replaced) await client.query(`ALTER TABLE ${live}.${t} SET SCHEMA ${old}`);
    for (const t of tables) await client.query(`ALTER TABLE ${rebuilt}.${t} SET SCHEMA ${live}`);
    if (replaced.length > 0)
      await client.query(`DROP TABLE ${replaced.map((t) => `${old}.${t}`).join(', ')}`);
    await client.query(`DROP SCHEMA ${old}`);
    await client.query(`DROP SCHEMA ${rebuilt}`);
    await client.query('COMMIT');
    return {
      caughtUp,
      position: after ? formatPosition(after) : undefined,
      tables,
      consumers: consumers.sort(),
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}
