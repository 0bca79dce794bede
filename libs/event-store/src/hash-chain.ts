import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '@yilian/contracts';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

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

/** A deterministic UUID (version 8, name-based over sha256) from the parts that identify a
 * fact at its source: the same message sent twice gives the same event id. */
export function deterministicEventId(...parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\u001f'), 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
