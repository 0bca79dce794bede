import type { NewEvent, RecordedEvent } from '@yilian/contracts';
import { canonicalJson, sha256Hex } from '@yilian/contracts';

export { canonicalJson, sha256Hex, deterministicEventId } from '@yilian/contracts';

/** Hash over everything an auditor relies on: id, type, version, stream, data and metadata. */
export function contentHash(stream: string, event: NewEvent): string {
  return sha256Hex(
    canonicalJson({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      stream,
      data: event.data,
      metadata: event.metadata,
    }),
  );
}

/** The chain link: sha256(previous hash ‖ content hash); the first event has no predecessor. */
export function chainHash(previousHash: string | null, content: string): string {
  return sha256Hex((previousHash ?? '') + content);
}

export interface ChainBreak {
  readonly stream: string;
  readonly streamPosition: bigint;
  readonly eventId: string;
  readonly reason: string;
}

/** Recomputes the chain of one stream's events (in stream order) and reports every break. */
export function verifyChain(events: readonly RecordedEvent[]): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let previous: string | null = null;
  events.forEach((e, i) => {
    const at = { stream: e.stream, streamPosition: e.streamPosition, eventId: e.id };
    if (e.streamPosition !== BigInt(i)) breaks.push({ ...at, reason: `expected stream position ${i}` });
    if (e.previousHash !== previous)
      breaks.push({ ...at, reason: 'previous hash does not match predecessor' });
    const expected = chainHash(previous, contentHash(e.stream, e));
    if (expected !== e.hash) breaks.push({ ...at, reason: 'content does not match its hash (altered)' });
    previous = e.hash;
  });
  return breaks;
}
