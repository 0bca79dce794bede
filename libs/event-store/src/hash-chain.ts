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

/** An event's data and metadata as canonical JSON, and its content hash computed from those
 * very texts: the store sends the texts, so each event is serialised once. `contentHash` is
 * the same hash (`verifyChain` recomputes it from the parsed event). */
export interface SerializedEvent {
  readonly data: string;
  readonly metadata: string;
  readonly contentHash: string;
}

export function serializeEvent(stream: string, event: NewEvent): SerializedEvent {
  const data = canonicalJson(event.data);
  const metadata = canonicalJson(event.metadata);
  // canonicalJson of the envelope hashed by contentHash: keys sorted, undefined ones left out.
  const envelope =
    '{' +
    (event.data === undefined ? '' : `"data":${data},`) +
    `"id":${canonicalJson(event.id)},` +
    (event.metadata === undefined ? '' : `"metadata":${metadata},`) +
    `"schemaVersion":${canonicalJson(event.schemaVersion)},` +
    `"stream":${canonicalJson(stream)},` +
    `"type":${canonicalJson(event.type)}}`;
  return { data, metadata, contentHash: sha256Hex(envelope) };
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
