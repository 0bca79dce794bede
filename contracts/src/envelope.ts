/**
 * The event envelope: what every fact recorded by the hub looks like, in the store, on Kafka
 * and in the read models. Published versions are never edited; a new schemaVersion comes with
 * an upcaster.
 */

/** A position in the global log. On PostgreSQL `commit` is the transaction id and `prepare`
 * the row's sequence number; on EventStoreDB they are the commit/prepare positions. Readers
 * compare positions lexicographically (commit, then prepare). */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export const START: GlobalPosition = Object.freeze({ commit: 0n, prepare: 0n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** "commit/prepare", the form a checkpoint is stored and sent in. */
export function formatPosition(p: GlobalPosition): string {
  return `${p.commit}/${p.prepare}`;
}

export function parsePosition(text: string): GlobalPosition {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new Error(`not a global position: ${JSON.stringify(text)}`);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

/** Who sent the fact and under which message, so a resend is recognised and an auditor can
 * trace an event back to the sender's own log. */
/** How a fact reached the hub: an HL7 v2 message, a FHIR resource, a CDA R2 document (WS/T 500;
 * over `POST /cda` or inside an MDM's OBX), or the hub itself (a fact it decides, e.g. an
 * expiry). The `ce_sourceprotocol` header's values. */
export const SOURCE_PROTOCOLS = ['hl7v2', 'fhir', 'cda', 'hub'] as const;
export type SourceProtocol = (typeof SOURCE_PROTOCOLS)[number];

export interface EventSource {
  /** Institution code taken from the credential, never from the message body. */
  readonly institution: string;
  /** MSH-10, FHIR resource identifier, or another id unique in the sender's system. */
  readonly messageId: string;
  /** One of SOURCE_PROTOCOLS. */
  readonly protocol: SourceProtocol;
}

export interface EventMetadata {
  readonly source: EventSource;
  /** Keyed hash of the patient's identifiers; never an identifier in clear. */
  readonly patientKey?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** When it happened in the real world, as the sender says (ISO 8601). */
  readonly occurredAt: string;
}

/** What a handler asks the store to append. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  /** Deterministic for intake (institution, source message id, content): a resend yields the
   * same id and the store answers with the existing event. */
  readonly id: string;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/** An event as recorded: the new event plus where and when the store put it. */
export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly stream: string;
  /** 0-based revision of the event in its stream. */
  readonly streamPosition: bigint;
  readonly position: GlobalPosition;
  /** When the store recorded it (ISO 8601). */
  readonly recordedAt: string;
  /** sha256 hex over this event's content and its stream predecessor's hash. */
  readonly hash: string;
  readonly previousHash: string | null;
}
