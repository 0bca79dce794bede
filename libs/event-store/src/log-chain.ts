import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * The log-wide chain: one hash over every event of the log in global order, so that an event
 * deleted anywhere (with its stream row or not) or rewritten with a recomputed stream chain
 * changes every log hash after it. Each link covers the event's global position, stream,
 * revision and content hash: L(i) = sha256(L(i-1) ‖ JSON [position, stream, revision, content]).
 * The database never stores it: signed checkpoints of it are kept outside (files, Kafka).
 */
export const LOG_GENESIS = '';

/** One event as a checkpoint records it: [global position "commit/prepare", stream, revision,
 * content hash]. */
export type LogEntry = readonly [position: string, stream: string, revision: string, content: string];

export function logChainHash(previous: string, entry: LogEntry): string {
  return createHash('sha256')
    .update(previous + JSON.stringify(entry))
    .digest('hex');
}

export const CHECKPOINT_FORMAT = 'yilian.checkpoint.v1';

/** A signed checkpoint of the log: everything up to `position` (inclusive), `count` events,
 * log hash `logHash`, and the entries since the previous checkpoint — authenticated by the
 * signed hashes, since previousLogHash chained through them must give logHash. */
export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly sequence: number;
  readonly previousPosition: string | null;
  readonly previousLogHash: string;
  readonly position: string;
  readonly logHash: string;
  readonly count: number;
  readonly time: string;
  readonly keyId: string;
  readonly entries: readonly LogEntry[];
  readonly signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature' | 'keyId' | 'format'>;

/** The text signed: every field but the entries (they are bound by the hashes) and the
 * signature, in one order. */
export function checkpointSignedText(c: Omit<Checkpoint, 'signature' | 'entries'>): string {
  return JSON.stringify([
    c.format,
    c.sequence,
    c.previousPosition,
    c.previousLogHash,
    c.position,
    c.logHash,
    c.count,
    c.time,
    c.keyId,
  ]);
}

/** A short, stable name of a public key: sha256 of its DER (SPKI), 16 hex digits. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function loadSigningKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the checkpoint key must be an Ed25519 private key, not ${key.asymmetricKeyType}`);
  return key;
}

export function loadVerifyingKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the checkpoint public key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

export function signCheckpoint(unsigned: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  const header = { ...unsigned, format: CHECKPOINT_FORMAT, keyId: keyIdOf(privateKey) } as const;
  const signature = sign(null, Buffer.from(checkpointSignedText(header)), privateKey).toString('base64');
  return { ...header, signature };
}

/** What is wrong with a checkpoint on its own (signature, entries against its hashes), or
 * undefined when it holds. Whether it follows the one before is the reader's check. */
export function checkpointProblem(c: Checkpoint, publicKey: KeyObject): string | undefined {
  if (c.format !== CHECKPOINT_FORMAT) return `format ${JSON.stringify(c.format)} is not ${CHECKPOINT_FORMAT}`;
  if (c.keyId !== keyIdOf(publicKey))
    return `signed by key ${c.keyId}, not by the given public key ${keyIdOf(publicKey)}`;
  if (!verify(null, Buffer.from(checkpointSignedText(c)), publicKey, Buffer.from(c.signature, 'base64')))
    return 'signature does not verify (the checkpoint was altered)';
  if (c.entries.length === 0) return 'holds no events';
  let hash = c.previousLogHash;
  for (const entry of c.entries) hash = logChainHash(hash, entry);
  if (hash !== c.logHash) return 'its events do not chain to its signed log hash (altered)';
  if (c.entries[c.entries.length - 1]![0] !== c.position) return 'its last event is not at its position';
  return undefined;
}
