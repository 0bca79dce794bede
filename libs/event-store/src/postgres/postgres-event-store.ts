import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
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
import { encodeEvent } from '../hash-chain';
import { type PolledBatch, pollingSubscription } from '../polling-subscription';
import { AppendBatcher, type Queued } from './append-batcher';
import { EVENT_STORE_DDL } from './schema';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
  /** How often a caught-up subscription looks for new events (ms). Appends made through
   * this instance wake its subscriptions at once. */
  readonly pollIntervalMs?: number;
  /** Group commit: append calls in flight at most (default 2, at most the pool size). An append
   * made while no call is in flight goes out at once, alone (no timer). Otherwise it waits, and
   * everything waiting goes out together as one call — one transaction, one WAL flush — when a
   * call completes, or as a second call once OVERLAP_AT appends wait. Measured (2026-12-04):
   * a second call for every append that found one in flight split the load into batches of one
   * or two (bench:intake: 0.15 ms more intake and PostgreSQL CPU per message than one call in
   * flight); one call in flight made commits wait for each other (bench:store: 1,482–1,792
   * against 2,018–2,108 events/s); waiting for 4 before overlapping gives 2,189 events/s there,
   * and the intake within noise of one call in flight (1,069–1,104 against 1,084–1,206
   * messages/s; PostgreSQL ≈0.08 ms more CPU per message). */
  readonly maxConcurrentBatches?: number;
  /** Appends per call at most (default 64). */
  readonly maxBatchAppends?: number;
  /** JSON (data and metadata) per call at most, in UTF-8 bytes (default 4 MiB); a larger
   * append still goes, alone. */
  readonly maxBatchBytes?: number;
}

/** Counters of the group commit, for benchmarks and tests. */
export interface AppendStats {
  /** Append calls to PostgreSQL (a batch of one included; re-runs after a failed batch not). */
  readonly calls: number;
  /** Appends sent through those calls. */
  readonly appends: number;
  /** The most appends one call carried. */
  readonly maxBatch: number;
  /** Batch calls that failed as a whole, so that each of their appends ran again alone. */
  readonly fallbacks: number;
  /** Appends run again alone after their batch failed. */
  readonly fallbackAppends: number;
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

// Each event's data and metadata travel as a parameter of their own, `ARRAY[$7, $8, …]::text[]`:
// measured against one JSON array text split by json_array_elements (PostgreSQL parses 14 KB
// of JSON twice) and against one text[] parameter (pg escapes every quote into an array
// literal), it costs least on both sides. So the statement text depends on the number of events: named
// per count (each pooled connection parses and plans it once), unnamed past MAX_NAMED_EVENTS.
const MAX_NAMED_EVENTS = 128;

/** Appends waiting before a second call goes out while one is in flight (see
 * `maxConcurrentBatches`). */
const OVERLAP_AT = 4;

const textArray = (first: number, n: number) =>
  `ARRAY[${Array.from({ length: n }, (_, i) => `$${first + i}`).join(',')}]::text[]`;

// One append alone: yl_append, which raises its refusals (a batch of one gains nothing by the
// batch function, and a failure needs no second run). $6: the content hashes; then the data
// and the metadata of the n events.
const appendSql = (n: number) => `SELECT out_global_position, out_transaction_id::text AS out_transaction_id,
    out_stream_position, out_hash, out_previous_hash, out_recorded_at, out_replayed
  FROM yl_append($1, $2::bigint, $3::uuid[], $4::text[], $5::int[], ${textArray(7, n)}, ${textArray(7 + n, n)},
    $6::text[])`;

// Several appends, one transaction: refusals come back as rows, see yl_append_batch. $7: the
// content hashes; then the data and the metadata of the n events of all appends.
const appendBatchSql = (n: number) => `SELECT out_append, out_error, out_detail, out_global_position,
    out_transaction_id::text AS out_transaction_id, out_stream_position, out_hash, out_previous_hash,
    out_recorded_at, out_replayed
  FROM yl_append_batch($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::int[],
    ${textArray(8, n)}, ${textArray(8 + n, n)}, $7::text[])`;

function statement(kind: 'yl_append' | 'yl_append_batch', n: number): { name?: string; text: string } {
  const text = kind === 'yl_append' ? appendSql(n) : appendBatchSql(n);
  return n <= MAX_NAMED_EVENTS ? { name: `${kind}_${n}`, text } : { text };
}

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
  data: string;
  metadata: string;
  hash: string;
  previous_hash: string | null;
  recorded_at: Date;
}

interface AppendedRow {
  out_global_position: string;
  out_transaction_id: string;
  out_stream_position: string;
  out_hash: string;
  out_previous_hash: string | null;
  out_recorded_at: Date;
  out_replayed: boolean;
}

/** A row of yl_append_batch: an event of append `out_append` (1-based), or its refusal. */
interface BatchRow extends Partial<AppendedRow> {
  out_append: number;
  out_error: 'YL001' | 'YL002' | null;
  out_detail: string | null;
}

/** One append, checked and serialised, waiting for its call. */
interface PendingAppend {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  readonly expectedCode: string;
  /** The events' data texts, as hashed and stored, in UTF-8 (sent as they are: a parameter in
   * binary format, which for text is its bytes); the same for metadata. */
  readonly data: readonly Buffer[];
  readonly metadata: readonly Buffer[];
  /** Bytes of data and metadata (what a batch's size cap counts). */
  readonly size: number;
  readonly contentHashes: readonly string[];
}

function wrongExpected(append: PendingAppend, actual: bigint): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(append.stream, append.expected, actual < 0n ? 'no_stream' : actual);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
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
  /** Caught-up subscriptions, each woken by an append of a type it reads (undefined: any). */
  private readonly wakers = new Map<() => void, ReadonlySet<string> | undefined>();
  private readonly batcher: AppendBatcher<PendingAppend, AppendResult>;
  private fallbacks = 0;
  private fallbackAppends = 0;

  constructor(private readonly options: PostgresEventStoreOptions) {
    const poolSize = options.poolSize ?? 10;
    const config: PoolConfig = { connectionString: options.connectionString, max: poolSize };
    this.pool = new Pool(config);
    this.pool.on('error', () => undefined); // an idle client's error surfaces on its next use
    this.batcher = new AppendBatcher<PendingAppend, AppendResult>({
      // More calls in flight than connections would only queue in the pool, uncoalesced.
      maxConcurrent: Math.max(1, Math.min(options.maxConcurrentBatches ?? 2, poolSize)),
      overlapAt: OVERLAP_AT,
      maxItems: options.maxBatchAppends ?? 64,
      maxBytes: options.maxBatchBytes ?? 4 * 1024 * 1024,
      sizeOf: (a) => a.size,
      send: (batch) => this.send(batch),
    });
  }

  get appendStats(): AppendStats {
    return { ...this.batcher.stats, fallbacks: this.fallbacks, fallbackAppends: this.fallbackAppends };
  }

  /** Creates the tables and the append functions if missing; brings a schema-3 log (JSON texts
   * in json columns) to this one (text columns: the same bytes, so the same hashes). */
  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7351001)');
      const { rows } = await client.query<{ data_type: string }>(
        `SELECT data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'yl_events' AND column_name = 'data'`,
      );
      const dataType = rows[0]?.data_type;
      // A log written before schema 2 stored jsonb and hashed canonical JSON: its hashes cannot
      // be checked against the text this version stores, so it is refused rather than mixed.
      if (dataType === 'jsonb') {
        throw new Error(
          'this event store was created by an earlier version (yl_events.data is jsonb, schema 1); ' +
            'this version stores the JSON text as hashed. Point it at a new database ' +
            '(the embedded hub: a new HUB_DATA_DIR)',
        );
      }
      // Schema 3 kept the same texts in json columns: json's text form is the text as stored,
      // so the conversion keeps every byte and every hash. One rewrite of the table, once.
      if (dataType === 'json') {
        await client.query(
          `ALTER TABLE yl_events ALTER COLUMN data TYPE text USING data::text,
             ALTER COLUMN metadata TYPE text USING metadata::text`,
        );
      }
      // The DDL replaces functions and triggers on yl_events (locks that appends wait on): a
      // second intake started while another appends deadlocked here. Run it only when the
      // schema differs from the one recorded (its hash, as yl_events' comment).
      const mark = `yilian event store DDL ${createHash('sha256').update(EVENT_STORE_DDL).digest('hex')}`;
      const recorded = dataType
        ? (await client.query<{ c: string | null }>(`SELECT obj_description('yl_events'::regclass) AS c`))
            .rows[0]?.c
        : undefined;
      if (recorded === mark) return;
      await client.query(EVENT_STORE_DDL);
      await this.preferLz4(client);
      await client.query(`COMMENT ON TABLE yl_events IS '${mark}'`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7351001)').catch(() => undefined);
      client.release();
    }
  }

  /** Large event texts are compressed when stored (TOAST). lz4 stores a 15 KB lab report for
   * ≈0.05 ms of PostgreSQL's CPU where the default pglz takes ≈0.17 (measured on PostgreSQL 15;
   * ≈2.1 KB stored against 1.8); a server built without lz4 (the embedded one) keeps pglz.
   * Set once: ALTER TABLE locks the table. */
  private async preferLz4(client: PoolClient): Promise<void> {
    const version = await client.query<{ v: number }>(
      `SELECT current_setting('server_version_num')::int AS v`,
    );
    if ((version.rows[0]?.v ?? 0) < 140000) return; // column compression came with PostgreSQL 14
    const { rows } = await client.query<{ lz4: boolean }>(
      `SELECT bool_and(attcompression = 'l') AS lz4 FROM pg_attribute
       WHERE attrelid = 'yl_events'::regclass AND attname IN ('data', 'metadata')`,
    );
    if (rows[0]?.lz4) return;
    try {
      await client.query(
        'ALTER TABLE yl_events ALTER COLUMN data SET COMPRESSION lz4, ALTER COLUMN metadata SET COMPRESSION lz4',
      );
    } catch (e) {
      if ((e as { code?: string }).code !== '0A000') throw e; // feature_not_supported: no lz4 here
    }
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append: no events');
    const expectedCode = typeof expected === 'bigint' ? expected : EXPECTED_CODE[expected];
    // The texts the content hash is computed from are the ones stored: serialised and encoded
    // once, the same bytes hashed and sent.
    if (events.some((e) => e.data === undefined)) throw new Error('append: an event has no data');
    const serialized = events.map((e) => encodeEvent(stream, e));
    const data = serialized.map((s) => s.data);
    const metadata = serialized.map((s) => s.metadata);
    let size = 0;
    for (const bytes of [...data, ...metadata]) {
      if (bytes.includes('\\u0000'))
        throw new Error('append: NUL characters cannot be stored; strip them at intake');
      size += bytes.length;
    }
    return this.batcher.submit({
      stream,
      events,
      expected,
      expectedCode: expectedCode.toString(),
      data,
      metadata,
      size,
      contentHashes: serialized.map((s) => s.contentHash),
    });
  }

  /** Sends one batch; resolves when its call is over (the outcomes may settle later). */
  private async send(batch: readonly Queued<PendingAppend, AppendResult>[]): Promise<void> {
    if (batch.length === 1) {
      const [{ item, resolve, reject }] = batch as [Queued<PendingAppend, AppendResult>];
      await this.appendAlone(item).then(resolve, reject);
      return;
    }
    const streams: string[] = [];
    const expected: string[] = [];
    const counts: number[] = [];
    const ids: string[] = [];
    const types: string[] = [];
    const versions: number[] = [];
    const hashes: string[] = [];
    const data: Buffer[] = [];
    const metadata: Buffer[] = [];
    for (const { item } of batch) {
      streams.push(item.stream);
      expected.push(item.expectedCode);
      counts.push(item.events.length);
      for (const e of item.events) {
        ids.push(e.id);
        types.push(e.type);
        versions.push(e.schemaVersion);
      }
      for (const h of item.contentHashes) hashes.push(h);
      for (const d of item.data) data.push(d);
      for (const m of item.metadata) metadata.push(m);
    }
    let rows: BatchRow[];
    try {
      ({ rows } = await this.pool.query<BatchRow>({
        ...statement('yl_append_batch', ids.length),
        values: [streams, expected, counts, ids, types, versions, hashes, ...data, ...metadata],
      }));
    } catch {
      // Nothing of the batch was committed (a deadlock, a concurrent writer's race, a bad
      // append, a lost connection): each append runs again alone, so that one append's
      // trouble is its own. Appends to the same stream keep their order.
      this.fallbacks++;
      this.fallbackAppends += batch.length;
      const chains = new Map<string, Promise<void>>();
      for (const q of batch) {
        const previous = chains.get(q.item.stream) ?? Promise.resolve();
        chains.set(
          q.item.stream,
          previous.then(() => this.appendAlone(q.item).then(q.resolve, q.reject)),
        );
      }
      return;
    }
    const outcomes: BatchRow[][] = batch.map(() => []);
    for (const r of rows) outcomes[r.out_append - 1]?.push(r);
    this.wake(batch.filter((_, i) => outcomes[i]![0]?.out_error === null).map((q) => q.item));
    batch.forEach(({ item, resolve, reject }, i) => {
      const own = outcomes[i]!;
      const first = own[0];
      if (first === undefined) reject(new Error(`yl_append_batch: no outcome for stream ${item.stream}`));
      else if (first.out_error === 'YL001') reject(wrongExpected(item, BigInt(first.out_detail ?? '-1')));
      else if (first.out_error === 'YL002') {
        reject(new IdempotencyConflictError(first.out_detail ?? 'idempotency conflict'));
      } else this.result(item, own as AppendedRow[]).then(resolve, reject);
    });
  }

  /** One append, one call: yl_append. */
  private async appendAlone(append: PendingAppend): Promise<AppendResult> {
    const { stream, events } = append;
    const params = [
      stream,
      append.expectedCode,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      append.contentHashes,
      ...append.data,
      ...append.metadata,
    ];
    const sql = statement('yl_append', events.length);
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.pool.query<AppendedRow>({ ...sql, values: params });
        this.wake([append]);
        return await this.result(append, rows);
      } catch (e) {
        const err = e as { code?: string; message?: string; constraint?: string };
        if (err.code === 'YL001') throw wrongExpected(append, BigInt(err.message ?? '-1'));
        if (err.code === 'YL002') throw new IdempotencyConflictError(err.message ?? 'idempotency conflict');
        if (err.code === '23505' && attempt < 2) {
          // A concurrent writer won a race: on the event id it is a resend (next attempt
          // answers idempotently); on the stream position it is a concurrency conflict.
          if (err.constraint?.includes('stream_id')) {
            const current = await this.streamRevision(stream);
            throw new WrongExpectedRevisionError(stream, append.expected, current ?? 'no_stream');
          }
          continue;
        }
        throw e;
      }
    }
  }

  /** The result of an append from its rows: as recorded now, or as recorded the first time. */
  private async result(append: PendingAppend, rows: readonly AppendedRow[]): Promise<AppendResult> {
    const { stream, events } = append;
    const alreadyRecorded = rows.length > 0 && rows.every((r) => r.out_replayed);
    const recorded = alreadyRecorded
      ? await this.readByIds(events.map((e) => e.id))
      : rows.map((r, i) => ({
          ...events[i]!,
          stream,
          streamPosition: BigInt(r.out_stream_position),
          position: { commit: BigInt(r.out_transaction_id), prepare: BigInt(r.out_global_position) },
          recordedAt: r.out_recorded_at.toISOString(),
          hash: r.out_hash,
          previousHash: r.out_previous_hash,
        }));
    return {
      nextExpectedRevision: recorded[recorded.length - 1]!.streamPosition,
      events: recorded,
      alreadyRecorded,
    };
  }

  /** The position of the last event committed now (undefined for an empty log). readAll may
   * not reach it yet: it stops below the oldest transaction still open on the server. */
  async headPosition(): Promise<GlobalPosition | undefined> {
    const { rows } = await this.pool.query<{ tx: string; gp: string }>(
      `SELECT transaction_id::text AS tx, global_position AS gp FROM yl_events
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] ? { commit: BigInt(rows[0].tx), prepare: BigInt(rows[0].gp) } : undefined;
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

  /** Events of `types` after `after` in global order, and how far the read looked: to the last
   * event readers may see (below the oldest transaction in flight), so a follower of rare types
   * moves past everything else without reading it. */
  private async readTypes(
    after: GlobalPosition,
    types: readonly string[],
    maxCount: number,
  ): Promise<PolledBatch> {
    const { rows: bounds } = await this.pool.query<{ tx: string; gp: string }>({
      name: 'yl_visible_bound',
      text: `SELECT transaction_id::text AS tx, global_position AS gp FROM yl_events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    });
    const bound = bounds[0];
    if (!bound) return { events: [] };
    const { rows } = await this.pool.query<EventRow>({
      name: 'yl_read_types',
      text: `SELECT ${SELECT_COLUMNS} FROM yl_events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          AND (transaction_id, global_position) <= ($3::text::xid8, $4::bigint)
          AND event_type = ANY($5::text[])
        ORDER BY transaction_id, global_position LIMIT $6`,
      values: [after.commit.toString(), after.prepare.toString(), bound.tx, bound.gp, types, maxCount],
    });
    const events = rows.map(toRecorded);
    // A full page: more may match before the bound; the next read goes on from the last one.
    if (rows.length === maxCount) return { events };
    return { events, scannedTo: { commit: BigInt(bound.tx), prepare: BigInt(bound.gp) } };
  }

  subscribe(options: SubscribeOptions): Subscription {
    return pollingSubscription({
      read: async (after) =>
        options.eventTypes
          ? this.readTypes(after, options.eventTypes, 500)
          : { events: await this.readAll({ after, maxCount: 500 }) },
      options,
      pollIntervalMs: this.options.pollIntervalMs ?? 100,
      head: async () => {
        const { rows } = await this.pool.query<{ tx: string; gp: string }>({
          name: 'yl_head',
          text: `SELECT transaction_id::text AS tx, global_position AS gp FROM yl_events
            ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
        });
        return rows[0] && { commit: BigInt(rows[0].tx), prepare: BigInt(rows[0].gp) };
      },
      registerWaker: (wake) => {
        this.wakers.set(wake, options.eventTypes && new Set(options.eventTypes));
        return () => this.wakers.delete(wake);
      },
    });
  }

  /** Wakes the subscriptions that read any of these appends' event types. A filtered
   * subscription is not woken by the appends it would not return (the intake's alliance
   * directory once ran a read for every lab report appended); another process's appends
   * reach it at the next poll. */
  private wake(appends: readonly PendingAppend[]): void {
    if (appends.length === 0) return;
    for (const [wake, types] of this.wakers) {
      if (!types || appends.some((a) => a.events.some((e) => types.has(e.type)))) wake();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
