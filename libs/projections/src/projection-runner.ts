import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  formatPosition,
  type GlobalPosition,
  parsePosition,
  type RecordedEvent,
  upcastRecordedEvent,
} from '@yilian/contracts';
import { PROJECTION_DDL, type Projection } from './projection';

export interface ApplyOutcome {
  readonly applied: string[];
  readonly skipped: string[];
}

/**
 * Applies events to read models exactly once in effect: for each event, in one PostgreSQL
 * transaction, every projection that handles it checks its per-stream position, applies the
 * event, and moves its position (and the consumer's global checkpoint, when given). An event
 * at or below the stored position is skipped.
 *
 * Every event is upcast to the latest version of its type first (`upcastRecordedEvent`): the
 * log and Kafka keep the version an event was recorded in; projections see only the latest.
 */
export class ProjectionRunner {
  constructor(
    private readonly pool: Pool,
    private readonly projections: readonly Projection[],
  ) {}

  async migrate(): Promise<void> {
    const client = await checkout(this.pool);
    try {
      await client.query('SELECT pg_advisory_lock(7351002)');
      // Only when the read models' DDL changed (its hash, kept as rm_checkpoints' comment): a
      // projector restarted while another applies would otherwise wait on (or deadlock with)
      // its locks.
      const ddl = [PROJECTION_DDL, ...this.projections.map((p) => p.ddl)].join('\n');
      const mark = `yilian read models DDL ${createHash('sha256').update(ddl).digest('hex')}`;
      const { rows } = await client.query<{ c: string | null }>(
        `SELECT obj_description(to_regclass('rm_checkpoints'), 'pg_class') AS c`,
      );
      if (rows[0]?.c === mark) return;
      await client.query(ddl);
      await client.query(`COMMENT ON TABLE rm_checkpoints IS '${mark}'`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7351002)').catch(() => undefined);
      client.done();
    }
  }

  async apply(recorded: RecordedEvent, checkpoint?: { consumer: string }): Promise<ApplyOutcome> {
    const event = upcastRecordedEvent(recorded);
    const interested = this.projections.filter((p) => p.canHandle(event));
    if (interested.length === 0 && !checkpoint) return { applied: [], skipped: [] };
    const client = await checkout(this.pool);
    const outcome = { applied: [] as string[], skipped: [] as string[] };
    try {
      await client.query('BEGIN');
      for (const p of interested) {
        if (await this.alreadyApplied(client, p.name, event)) {
          outcome.skipped.push(p.name);
          continue;
        }
        await p.apply(client, event);
        await client.query(
          `INSERT INTO rm_stream_positions (projection, stream, position) VALUES ($1, $2, $3)
           ON CONFLICT (projection, stream) DO UPDATE SET position = excluded.position`,
          [p.name, event.stream, event.streamPosition.toString()],
        );
        outcome.applied.push(p.name);
      }
      if (checkpoint) await this.saveCheckpoint(client, checkpoint.consumer, event.position);
      await client.query('COMMIT');
      return outcome;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.failed = e;
      throw e;
    } finally {
      client.done();
    }
  }

  /**
   * Applies a batch of events (in log order) in ONE transaction: the per-stream positions of
   * every stream in the batch are read (and locked) in one query, kept in memory while the
   * batch is applied, and written back in one statement with the consumer's checkpoint. Same
   * exactly-once effect as `apply`, far fewer round trips. A failure rolls the whole batch back.
   */
  async applyBatch(
    recorded: readonly RecordedEvent[],
    checkpoint?: { consumer: string },
  ): Promise<ApplyOutcome> {
    const events = recorded.map(upcastRecordedEvent);
    const outcome = { applied: [] as string[], skipped: [] as string[] };
    if (events.length === 0) return outcome;
    // Which projections read each event, asked once; a batch none reads (and no checkpoint to
    // move) opens no transaction.
    const readers = events.map((e) => this.projections.filter((p) => p.canHandle(e)));
    const keys = new Map<string, { projection: string; stream: string }>();
    events.forEach((e, i) => {
      for (const p of readers[i]!)
        keys.set(`${p.name}\u0000${e.stream}`, { projection: p.name, stream: e.stream });
    });
    if (keys.size === 0 && !checkpoint) return outcome;
    const client = await checkout(this.pool);
    try {
      await client.query('BEGIN');
      // by the primary key (projection, stream): an index probe per pair, whatever the table's size
      const pairs = [...keys.values()];
      const { rows } =
        pairs.length === 0
          ? { rows: [] }
          : await client.query<{ projection: string; stream: string; position: string }>(
              `SELECT s.projection, s.stream, s.position FROM rm_stream_positions s
               JOIN unnest($1::text[], $2::text[]) AS k(projection, stream)
                 ON s.projection = k.projection AND s.stream = k.stream
               FOR UPDATE OF s`,
              [pairs.map((k) => k.projection), pairs.map((k) => k.stream)],
            );
      const positions = new Map(rows.map((r) => [`${r.projection}\u0000${r.stream}`, BigInt(r.position)]));
      const moved = new Map<string, { projection: string; stream: string; position: bigint }>();
      const due = new Map<Projection, RecordedEvent[]>();
      events.forEach((event, i) => {
        for (const p of readers[i]!) {
          const key = `${p.name}\u0000${event.stream}`;
          const at = positions.get(key);
          if (at !== undefined && at >= event.streamPosition) {
            outcome.skipped.push(p.name);
            continue;
          }
          const list = due.get(p);
          if (list) list.push(event);
          else due.set(p, [event]);
          positions.set(key, event.streamPosition);
          moved.set(key, { projection: p.name, stream: event.stream, position: event.streamPosition });
          outcome.applied.push(p.name);
        }
      });
      // Projection by projection (each owns its tables), each in log order.
      for (const [p, list] of due) {
        if (p.applyMany) await p.applyMany(client, list);
        else for (const event of list) await p.apply(client, event);
      }
      if (moved.size > 0) {
        const m = [...moved.values()];
        await client.query(
          `INSERT INTO rm_stream_positions (projection, stream, position)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (projection, stream) DO UPDATE SET position = excluded.position`,
          [m.map((x) => x.projection), m.map((x) => x.stream), m.map((x) => x.position.toString())],
        );
      }
      if (checkpoint)
        await this.saveCheckpoint(client, checkpoint.consumer, events[events.length - 1]!.position);
      await client.query('COMMIT');
      return outcome;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.failed = e;
      throw e;
    } finally {
      client.done();
    }
  }

  private async alreadyApplied(
    client: PoolClient,
    projection: string,
    event: RecordedEvent,
  ): Promise<boolean> {
    const { rows } = await client.query<{ position: string }>(
      'SELECT position FROM rm_stream_positions WHERE projection = $1 AND stream = $2 FOR UPDATE',
      [projection, event.stream],
    );
    return rows[0] !== undefined && BigInt(rows[0].position) >= event.streamPosition;
  }

  private async saveCheckpoint(
    client: PoolClient,
    consumer: string,
    position: GlobalPosition,
  ): Promise<void> {
    await client.query(
      `INSERT INTO rm_checkpoints (consumer, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [consumer, formatPosition(position)],
    );
  }

  async checkpoint(consumer: string): Promise<GlobalPosition | undefined> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM rm_checkpoints WHERE consumer = $1',
      [consumer],
    );
    return rows[0] ? parsePosition(rows[0].position) : undefined;
  }
}

type CheckedOut = PoolClient & { failed?: unknown; done(): void };

/** A client from the pool that cannot crash the process: a connection the server ends while
 * the client is checked out but between queries (PostgreSQL restarting: 57P01) is an 'error'
 * event on the client, which pg leaves unhandled — here it is swallowed (the next query fails
 * and says why). `done()` gives it back, or discards it if the work on it failed. */
async function checkout(pool: Pool): Promise<CheckedOut> {
  const client = (await pool.connect()) as CheckedOut;
  client.failed = undefined;
  const swallow = (): void => undefined;
  client.on('error', swallow);
  client.done = () => {
    client.off('error', swallow);
    client.release(client.failed instanceof Error ? client.failed : undefined);
  };
  return client;
}
