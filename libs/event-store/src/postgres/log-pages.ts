import type { ClientBase } from 'pg';
import { formatPosition, type GlobalPosition, type RecordedEvent, START } from '@yilian/contracts';
import type { LogEntry } from '../log-chain';
import { envelopeHash } from '../hash-chain';

/** An event exactly as stored: the data and metadata texts the hashes are over. */
export interface StoredEvent {
  readonly position: GlobalPosition;
  readonly eventId: string;
  readonly stream: string;
  readonly streamPosition: bigint;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
  readonly hash: string;
  readonly previousHash: string | null;
  readonly recordedAt: Date;
}

interface Row {
  tx: string;
  gp: string;
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

/** The content hash recomputed from the stored texts themselves (serializeEvent's envelope):
 * any byte changed in data or metadata changes it, even one JSON.parse would not notice. */
export function storedContentHash(
  e: Pick<StoredEvent, 'eventId' | 'type' | 'schemaVersion' | 'stream' | 'data' | 'metadata'>,
): string {
  return envelopeHash(e.eventId, e.type, e.schemaVersion, e.stream, e.data, e.metadata);
}

export function logEntryOf(e: StoredEvent): LogEntry {
  return [formatPosition(e.position), e.stream, e.streamPosition.toString(), storedContentHash(e)];
}

export function toRecordedEvent(e: StoredEvent): RecordedEvent {
  return {
    id: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: JSON.parse(e.data) as unknown,
    metadata: JSON.parse(e.metadata) as RecordedEvent['metadata'],
    stream: e.stream,
    streamPosition: e.streamPosition,
    position: e.position,
    recordedAt: e.recordedAt.toISOString(),
    hash: e.hash,
    previousHash: e.previousHash,
  };
}

export interface LogPageOptions {
  /** Exclusive. */
  readonly after?: GlobalPosition;
  readonly pageSize?: number;
  /** Only events recorded at or before this instant. */
  readonly recordedUpTo?: Date;
  /** Only events readers may see (below the oldest transaction in flight), as readAll: what a
   * checkpoint covers must be a prefix of the log that never changes. Inside a REPEATABLE READ
   * snapshot every visible event is committed, so a verification reads them all. */
  readonly committedPrefixOnly?: boolean;
}

/** The log in global order, page by page (keyset on the global-order index): one page in
 * memory at a time, whatever the size of the log. */
export async function* readLogPages(
  client: ClientBase,
  options: LogPageOptions = {},
): AsyncGenerator<StoredEvent[]> {
  let after = options.after ?? START;
  const limit = options.pageSize ?? 2000;
  for (;;) {
    const { rows } = await client.query<Row>(
      `SELECT transaction_id::text AS tx, global_position AS gp, event_id, stream_id, stream_position,
          event_type, schema_version, data, metadata, hash, previous_hash, recorded_at
        FROM yl_events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          ${options.committedPrefixOnly ? 'AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())' : ''}
          AND ($4::timestamptz IS NULL OR recorded_at <= $4::timestamptz)
        ORDER BY transaction_id, global_position LIMIT $3`,
      [after.commit.toString(), after.prepare.toString(), limit, options.recordedUpTo ?? null],
    );
    if (rows.length === 0) return;
    const page = rows.map((r): StoredEvent => ({
      position: { commit: BigInt(r.tx), prepare: BigInt(r.gp) },
      eventId: r.event_id,
      stream: r.stream_id,
      streamPosition: BigInt(r.stream_position),
      type: r.event_type,
      schemaVersion: r.schema_version,
      data: r.data,
      metadata: r.metadata,
      hash: r.hash,
      previousHash: r.previous_hash,
      recordedAt: r.recorded_at,
    }));
    yield page;
    if (rows.length < limit) return;
    after = page[page.length - 1]!.position;
  }
}

export class NotAYilianStoreError extends Error {}

/** Refuses a database that is not a Yilian event store, naming what is missing. */
export async function assertYilianStore(client: ClientBase): Promise<void> {
  const { rows } = await client.query<{ events: string | null; streams: string | null; db: string }>(
    `SELECT to_regclass('yl_events')::text AS events, to_regclass('yl_streams')::text AS streams,
       current_database() AS db`,
  );
  const missing = Object.entries({ 'table yl_events': rows[0]?.events, 'table yl_streams': rows[0]?.streams })
    .filter(([, found]) => !found)
    .map(([name]) => name);
  if (missing.length > 0)
    throw new NotAYilianStoreError(
      `not a Yilian event store: ${missing.join(' and ')} missing in database "${rows[0]?.db}"`,
    );
}
