import { Pool, type PoolConfig } from 'pg';
import type { GlobalPosition, NewEvent, RecordedEvent } from '@yilian/contracts';
import { START } from '@yilian/contracts';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  IdempotencyConflictError,
  type ReadAllOptions,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { serializeEvent } from '../hash-chain';
import { pollingSubscription } from '../polling-subscription';
import { EVENT_STORE_DDL } from './schema';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
  /** How often a caught-up subscription looks for new events (ms). Appends made through
   * this instance wake its subscriptions at once. */
  readonly pollIntervalMs?: number;
}

const EXPECTED_CODE: Record<'any' | 'stream_exists' | 'no_stream', bigint> = {
  any: -3n,
  stream_exists: -2n,
  no_stream: -1n,
};

// The text form of the transaction id gets its own name: aliased `transaction_id`, an
// `ORDER BY transaction_id` would sort by the text ('1000' < '999') and readers would skip events.
const SELECT_COLUMNS = `global_position, transaction_id::text AS transaction_text, event_id, stream_id,
  stream_position, event_type, schema_version, data, metadata, hash, previous_hash, recorded_at`;

// Named: each pooled connection parses and plans these once, not on every call.
const APPEND_SQL = `SELECT out_global_position, out_transaction_id::text AS out_transaction_id,
    out_stream_position, out_hash, out_previous_hash, out_recorded_at, out_replayed
  FROM yl_append($1, $2::bigint, $3::uuid[], $4::text[], $5::int[],
    ARRAY(SELECT d FROM json_array_elements($6::json) WITH ORDINALITY AS t(d, n) ORDER BY n),
    ARRAY(SELECT m FROM json_array_elements($7::json) WITH ORDINALITY AS t(m, n) ORDER BY n),
    $8::text[])`;

const READ_ALL_SQL = `SELECT ${SELECT_COLUMNS} FROM yl_events
  WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY transaction_id, global_position LIMIT $3`;

interface EventRow {
  global_position: string;
  transaction_text: string;
  event_id: string;
  stream_id: string;
  stream_position: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  hash: string;
  previous_hash: string | null;
  recorded_at: Date;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    stream: row.stream_id,
    streamPosition: BigInt(row.stream_position),
    position: { commit: BigInt(row.transaction_text), prepare: BigInt(row.global_position) },
    recordedAt: row.recorded_at.toISOString(),
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}

export class PostgresEventStore implements EventStore {
  readonly pool: Pool;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly options: PostgresEventStoreOptions) {
    const config: PoolConfig = { connectionString: options.connectionString, max: options.poolSize ?? 10 };
    this.pool = new Pool(config);
    this.pool.on('error', () => undefined); // an idle client's error surfaces on its next use
  }

  /** Creates the tables and the append function if missing. */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7351001)');
      await client.query(EVENT_STORE_DDL);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7351001)').catch(() => undefined);
      client.release();
    }
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append: no events');
    const expectedCode = typeof expected === 'bigint' ? expected : EXPECTED_CODE[expected];
    // Data and metadata travel as one JSON array each: pg would otherwise escape every quote
    // of every document into a text[] literal, and PostgreSQL parse that literal back. The
    // texts are the ones the content hash is computed from, stored as they are: serialised once.
    if (events.some((e) => e.data === undefined)) throw new Error('append: an event has no data');
    const serialized = events.map((e) => serializeEvent(stream, e));
    const data = `[${serialized.map((s) => s.data).join(',')}]`;
    const metadata = `[${serialized.map((s) => s.metadata).join(',')}]`;
    if (data.includes('\\u0000') || metadata.includes('\\u0000')) {
      throw new Error('append: NUL characters cannot be stored; strip them at intake');
    }
    const params = [
      stream,
      expectedCode.toString(),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      data,
      metadata,
      serialized.map((s) => s.contentHash),
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.pool.query<{
          out_global_position: string;
          out_transaction_id: string;
          out_stream_position: string;
          out_hash: string;
          out_previous_hash: string | null;
          out_recorded_at: Date;
          out_replayed: boolean;
        }>({ name: 'yl_append', text: APPEND_SQL, values: params });
        this.wake();
        const recorded = rows.map((r, i) => ({
          ...events[i]!,
          stream,
          streamPosition: BigInt(r.out_stream_position),
          position: { commit: BigInt(r.out_transaction_id), prepare: BigInt(r.out_global_position) },
          recordedAt: r.out_recorded_at.toISOString(),
          hash: r.out_hash,
          previousHash: r.out_previous_hash,
        }));
        const alreadyRecorded = rows.length > 0 && rows.every((r) => r.out_replayed);
        const events2 = alreadyRecorded ? await this.readByIds(events.map((e) => e.id)) : recorded;
        return {
          nextExpectedRevision: events2[events2.length - 1]!.streamPosition,
          events: events2,
          alreadyRecorded,
        };
      } catch (e) {
        const err = e as { code?: string; message?: string; constraint?: string };
        if (err.code === 'YL001') {
          const actual = BigInt(err.message ?? '-1');
          throw new WrongExpectedRevisionError(stream, expected, actual < 0n ? 'no_stream' : actual);
        }
        if (err.code === 'YL002') throw new IdempotencyConflictError(err.message ?? 'idempotency conflict');
        if (err.code === '23505' && attempt < 2) {
          // A concurrent writer won a race: on the event id it is a resend (next attempt
          // answers idempotently); on the stream position it is a concurrency conflict.
          if (err.constraint?.includes('stream_id')) {
            const current = await this.streamRevision(stream);
            throw new WrongExpectedRevisionError(stream, expected, current ?? 'no_stream');
          }
          continue;
        }
        throw e;
      }
    }
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    const { rows } = await this.pool.query<{ revision: string }>(
      'SELECT revision FROM yl_streams WHERE stream_id = $1',
      [stream],
    );
    return rows[0] ? BigInt(rows[0].revision) : undefined;
  }

  private async readByIds(ids: readonly string[]): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM yl_events WHERE event_id = ANY($1::uuid[]) ORDER BY stream_position`,
      [ids],
    );
    return rows.map(toRecorded);
  }

  async readStream(
    stream: string,
    options: { fromRevision?: bigint; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${SELECT_COLUMNS} FROM yl_events WHERE stream_id = $1 AND stream_position >= $2
       ORDER BY stream_position LIMIT $3`,
      [stream, (options.fromRevision ?? 0n).toString(), options.maxCount ?? 2_147_483_647],
    );
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after: GlobalPosition = options.after ?? START;
    const { rows } = await this.pool.query<EventRow>({
      name: 'yl_read_all',
      text: READ_ALL_SQL,
      values: [after.commit.toString(), after.prepare.toString(), options.maxCount ?? 1000],
    });
    return rows.map(toRecorded);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return pollingSubscription({
      read: (after) => this.readAll({ after, maxCount: 500 }),
      options,
      pollIntervalMs: this.options.pollIntervalMs ?? 100,
      registerWaker: (wake) => {
        this.wakers.add(wake);
        return () => this.wakers.delete(wake);
      },
    });
  }

  private wake(): void {
    for (const w of this.wakers) w();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
