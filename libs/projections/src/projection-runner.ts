import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  comparePositions,
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
export interface ProjectionRunnerOptions {
  /** Transactions a batch is applied in at once, each on its own connection, each holding a
   * share of the projections (by `weight`); 1: the whole batch in one transaction. Default 2. */
  readonly lanes?: number;
}

/** The consumer name a lane's global checkpoint goes under: lane 0 keeps the consumer's own. */
export function laneConsumer(consumer: string, lane: number): string {
  return lane === 0 ? consumer : `${consumer}#lane${lane}`;
}

/** Projections into `count` lanes of about equal weight: a `partitioned` projection in every
 * lane (each lane its share of the streams, `streamLane`), the others heaviest first, each to
 * the lightest lane so far (ties by name). The same set always gives the same lanes. */
export function projectionLanes(projections: readonly Projection[], count: number): Projection[][] {
  const split = projections.filter((p) => p.partitioned);
  const n = Math.max(1, split.length > 0 ? count : Math.min(count, projections.length));
  const shared = split.reduce((w, p) => w + (p.weight ?? DEFAULT_WEIGHT), 0) / n;
  const lanes = Array.from({ length: n }, () => ({ weight: shared, projections: [...split] }));
  const order = projections
    .filter((p) => !p.partitioned)
    .sort(
      (a, b) => (b.weight ?? DEFAULT_WEIGHT) - (a.weight ?? DEFAULT_WEIGHT) || a.name.localeCompare(b.name),
    );
  for (const p of order) {
    const lightest = lanes.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.weight += p.weight ?? DEFAULT_WEIGHT;
    lightest.projections.push(p);
  }
  // each lane in the registry's order, as one transaction applied them before
  return lanes.map((l) => projections.filter((p) => l.projections.includes(p)));
}

/** Which of `lanes` lanes applies a partitioned projection's events of `stream` (FNV-1a). */
export function streamLane(stream: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}

const DEFAULT_WEIGHT = 0.1;

export class ProjectionRunner {
  private readonly lanes: readonly Projection[][];

  constructor(
    private readonly pool: Pool,
    private readonly projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.lanes = projectionLanes(projections, options.lanes ?? 2);
  }

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
      if (checkpoint)
        for (let lane = 0; lane < this.lanes.length; lane++)
          await this.saveCheckpoint(client, laneConsumer(checkpoint.consumer, lane), event.position);
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
   * Applies a batch of events (in log order): in each lane (`ProjectionRunnerOptions.lanes`)
   * ONE transaction, the lanes at once on connections of their own — the read models' cost is
   * PostgreSQL's and the event loop's by turns, so a second transaction in flight keeps both
   * busy. Each lane's transaction reads (and locks) the per-stream positions of its projections
   * for every stream in the batch in one query, keeps them in memory while the batch is
   * applied, and writes them back in one statement with the lane's checkpoint
   * (`laneConsumer`). Same exactly-once effect as `apply`, far fewer round trips. A failure
   * rolls its lane's transaction back and fails the batch once every lane has finished; what
   * another lane committed is skipped when the batch comes again (per-stream positions), and
   * `checkpoint` resumes from the lane furthest behind.
   */
  async applyBatch(
    recorded: readonly RecordedEvent[],
    checkpoint?: { consumer: string },
  ): Promise<ApplyOutcome> {
    const events = recorded.map(upcastRecordedEvent);
    const outcome = { applied: [] as string[], skipped: [] as string[] };
    if (events.length === 0) return outcome;
    if (this.lanes.length === 1) return this.applyLane(this.lanes[0]!, 0, events, checkpoint);
    const settled = await Promise.allSettled(
      this.lanes.map((lane, i) =>
        this.applyLane(
          lane,
          i,
          events,
          checkpoint
            ? {
                consumer: laneConsumer(checkpoint.consumer, i),
                // lane 0 gives every other lane its row, where it has none yet
                ...(i === 0
                  ? { seed: this.lanes.slice(1).map((_, l) => laneConsumer(checkpoint.consumer, l + 1)) }
                  : {}),
              }
            : undefined,
        ),
      ),
    );
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      outcome.applied.push(...s.value.applied);
      outcome.skipped.push(...s.value.skipped);
    }
    return outcome;
  }

  private async applyLane(
    projections: readonly Projection[],
    lane: number,
    events: readonly RecordedEvent[],
    checkpoint?: { consumer: string; seed?: readonly string[] },
  ): Promise<ApplyOutcome> {
    const outcome = { applied: [] as string[], skipped: [] as string[] };
    // Which projections read each event, asked once; a batch none reads (and no checkpoint to
    // move) opens no transaction.
    // a partitioned projection reads in this lane only the events of the lane's streams
    const lanes = this.lanes.length;
    const readers = events.map((e) => {
      const mine = lanes === 1 || streamLane(e.stream, lanes) === lane;
      return projections.filter((p) => (mine || !p.partitioned) && p.canHandle(e));
    });
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
      if (checkpoint?.seed?.length)
        // Before lane 0's own checkpoint moves: a lane without a row gets lane 0's position as it
        // was (one runner of a single lane left it, so every projection is there) or, with none
        // yet, '' — from the start — until the lane commits one of its own. So a lane with no
        // row can only be the upgrade from a single lane (see `checkpoint`).
        await client.query(
          `INSERT INTO rm_checkpoints (consumer, position, updated_at)
           SELECT l, coalesce((SELECT position FROM rm_checkpoints WHERE consumer = $1), ''), now()
           FROM unnest($2::text[]) AS l
           ON CONFLICT (consumer) DO NOTHING`,
          [checkpoint.consumer, checkpoint.seed],
        );
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

  /** Where `consumer` goes on from: the lane furthest behind; undefined (from the start) while
   * any lane has none ('' or lane 0 without a row). A lane without a row — the runner had fewer
   * lanes when lane 0 last committed — is where lane 0 is. */
  async checkpoint(consumer: string): Promise<GlobalPosition | undefined> {
    const names = this.lanes.map((_, i) => laneConsumer(consumer, i));
    const { rows } = await this.pool.query<{ consumer: string; position: string }>(
      'SELECT consumer, position FROM rm_checkpoints WHERE consumer = ANY($1::text[])',
      [names],
    );
    const at = new Map(rows.map((r) => [r.consumer, r.position]));
    const main = at.get(consumer);
    if (!main) return undefined;
    let behind: GlobalPosition | undefined;
    for (const name of names) {
      const text = at.get(name) ?? main;
      if (text === '') return undefined;
      const position = parsePosition(text);
      if (!behind || comparePositions(position, behind) < 0) behind = position;
    }
    return behind;
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
