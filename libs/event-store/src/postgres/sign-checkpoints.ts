import type { KeyObject } from 'node:crypto';
import type { ClientBase } from 'pg';
import { formatPosition, parsePosition } from '@yilian/contracts';
import { chainHash } from '../hash-chain';
import { type Checkpoint, LOG_GENESIS, type LogEntry, logChainHash, signCheckpoint } from '../log-chain';
import { logEntryOf, readLogPages } from './log-pages';

export interface SignCheckpointsOptions {
  /** The last checkpoint signed (the auditor's directory keeps it); none: from the log's start. */
  readonly after?: Checkpoint;
  readonly privateKey: KeyObject;
  /** Events per checkpoint at most (its file and Kafka message carry their entries). */
  readonly maxEvents?: number;
  readonly now?: () => Date;
}

/**
 * Signs checkpoints of the log from the last one on: each covers the next events of the
 * committed prefix of the log (what readers may see, which never changes afterwards), at most
 * `maxEvents`. An event whose content no longer gives its own hash is refused: a checkpoint
 * never vouches for an event already altered.
 */
export async function* signNewCheckpoints(
  client: ClientBase,
  options: SignCheckpointsOptions,
): AsyncGenerator<Checkpoint> {
  const maxEvents = options.maxEvents ?? 1000;
  let previous = options.after;
  let entries: LogEntry[] = [];
  let logHash = previous?.logHash ?? LOG_GENESIS;
  const sign = (): Checkpoint => {
    const c = signCheckpoint(
      {
        sequence: (previous?.sequence ?? 0) + 1,
        previousPosition: previous?.position ?? null,
        previousLogHash: previous?.logHash ?? LOG_GENESIS,
        position: entries[entries.length - 1]![0],
        logHash,
        count: (previous?.count ?? 0) + entries.length,
        time: (options.now?.() ?? new Date()).toISOString(),
        entries,
      },
      options.privateKey,
    );
    previous = c;
    entries = [];
    return c;
  };
  const pages = readLogPages(client, {
    ...(previous ? { after: parsePosition(previous.position) } : {}),
    committedPrefixOnly: true,
    pageSize: maxEvents,
  });
  for await (const page of pages) {
    for (const e of page) {
      const entry = logEntryOf(e);
      if (chainHash(e.previousHash, entry[3]) !== e.hash)
        throw new Error(
          `refusing to sign: ${e.stream} revision ${e.streamPosition} at ${formatPosition(e.position)} does not match its hash (altered); run verify`,
        );
      entries.push(entry);
      logHash = logChainHash(logHash, entry);
      if (entries.length === maxEvents) yield sign();
    }
  }
  if (entries.length > 0) yield sign();
}
