/* How our events are written to and read from EventStoreDB: data as the JSON body, metadata as
 * JSON carrying our EventMetadata plus what the store adds (schemaVersion, the chain hashes,
 * and EventStoreDB's own $correlationId / $causationId so its system projections see them). */
import type {
  AllStreamRecordedEvent,
  EventData,
  JSONType,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '@yilian/contracts';

/** Metadata keys the store adds next to the event's own metadata. */
const STORE_KEYS = ['schemaVersion', 'hash', 'previousHash', '$correlationId', '$causationId'] as const;

interface StoredMetadata {
  readonly schemaVersion: number;
  readonly hash: string;
  readonly previousHash: string | null;
  readonly $correlationId: string;
  readonly $causationId?: string;
  readonly [key: string]: unknown;
}

export interface ChainLink {
  readonly hash: string;
  readonly previousHash: string | null;
}

export function toEventData(event: NewEvent, link: ChainLink): EventData {
  const clash = STORE_KEYS.find((k) => k in event.metadata);
  if (clash) throw new Error(`append: event ${event.id} metadata uses the reserved key ${clash}`);
  if (event.data === undefined) throw new Error(`append: event ${event.id} has no data`);
  const metadata: StoredMetadata = {
    ...event.metadata,
    schemaVersion: event.schemaVersion,
    hash: link.hash,
    previousHash: link.previousHash,
    $correlationId: event.metadata.correlationId,
    ...(event.metadata.causationId === undefined ? {} : { $causationId: event.metadata.causationId }),
  };
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    data: event.data as JSONType,
    metadata,
  };
}

/** System events ($-types: links, metadata, stats) and system streams are not ours. */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

function isStoredMetadata(value: unknown): value is StoredMetadata {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return false;
  const m = value as Record<string, unknown>;
  return typeof m.schemaVersion === 'number' && typeof m.hash === 'string';
}

export function toRecorded(event: EsdbRecordedEvent | AllStreamRecordedEvent): RecordedEvent {
  if (!event.isJson || !isStoredMetadata(event.metadata)) {
    throw new Error(
      `event ${event.id} in ${event.streamId} was not written by this store (no hash metadata)`,
    );
  }
  if (!event.position) {
    throw new Error(
      `EventStoreDB returned event ${event.id} without its position: version 22.6 or later is needed`,
    );
  }
  const { schemaVersion, hash, previousHash, ...rest } = event.metadata;
  const metadata: Record<string, unknown> = { ...rest };
  delete metadata.$correlationId;
  delete metadata.$causationId;
  return {
    id: event.id,
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: metadata as unknown as EventMetadata,
    stream: event.streamId,
    streamPosition: event.revision,
    position: { commit: event.position.commit, prepare: event.position.prepare },
    recordedAt: event.created.toISOString(),
    hash,
    previousHash: previousHash ?? null,
  };
}
