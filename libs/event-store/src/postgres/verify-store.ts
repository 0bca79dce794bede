import type { KeyObject } from 'node:crypto';
import { Client, type ClientBase } from 'pg';
import { comparePositions, formatPosition, parsePosition } from '@yilian/contracts';
import { chainHash } from '../hash-chain';
import { type Checkpoint, checkpointProblem, LOG_GENESIS, type LogEntry, logChainHash } from '../log-chain';
import { assertYilianStore, logEntryOf, readLogPages, type StoredEvent } from './log-pages';

/**
 * The auditor's verification of a PostgreSQL event store, in flat memory whatever its size:
 *
 * 1. the log in global order, page by page: every event's hash recomputed from its stored
 *    texts and its predecessor's hash (`altered`), the log-wide chain, and — with signed
 *    checkpoints — every event against the one a checkpoint signed (`rewritten`, `deleted`,
 *    `inserted`): a rewrite with a recomputed consistent chain, a deletion with its stream row;
 * 2. every stream's links, in the database (a window over the stream index, read by a cursor):
 *    revisions 0, 1, 2… with no gap, each previous hash its predecessor's hash (`link`);
 * 3. every stream head (`yl_streams`) against its stream's last event (`head`): a deleted
 *    last event, a stream whose every event was deleted, a deleted stream row.
 *
 * All in one REPEATABLE READ snapshot, so a live store is verified as of one moment.
 */
export type LogBreakKind = 'altered' | 'link' | 'head' | 'rewritten' | 'deleted' | 'inserted' | 'checkpoint';

export interface LogBreak {
  readonly kind: LogBreakKind;
  readonly stream: string | null;
  readonly revision: string | null;
  /** Global position "commit/prepare", when the event is (or was, per a checkpoint) known. */
  readonly position: string | null;
  readonly eventId?: string;
  /** The checkpoint that tells, for the checkpoint kinds. */
  readonly checkpoint?: number;
  readonly reason: string;
}

export interface CheckpointSummary {
  readonly checkpoints: number;
  /** Events of the store covered by a checkpoint; those after the last are not yet. */
  readonly coveredEvents: number;
  readonly lastSequence: number | null;
  readonly lastPosition: string | null;
  /** The first checkpoint whose log hash the store no longer gives. */
  readonly firstDivergent: { readonly sequence: number; readonly position: string } | null;
}

export interface StoreVerification {
  readonly events: number;
  readonly streams: number;
  readonly breakCount: number;
  /** The first `maxBreaks` breaks, in the order found. */
  readonly breaks: readonly LogBreak[];
  /** Global positions never used or no longer used (a rolled-back append leaves one, and so
   * does a deletion: only a checkpoint tells them apart). */
  readonly unusedPositions: number;
  readonly lastPosition: string | null;
  readonly logHash: string;
  readonly checkpoints?: CheckpointSummary;
}

export class EmptyStoreError extends Error {}

export interface VerifyStoreOptions {
  readonly connectionString: string;
  readonly checkpoints?: { readonly source: AsyncIterable<Checkpoint>; readonly publicKey: KeyObject };
  readonly pageSize?: number;
  readonly maxBreaks?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

class Breaks {
  readonly kept: LogBreak[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(b: LogBreak): void {
    this.count += 1;
    if (this.kept.length < this.max) this.kept.push(b);
  }
}

export async function verifyStore(options: VerifyStoreOptions): Promise<StoreVerification> {
  const client = new Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await assertYilianStore(client);
    const { rows } = await client.query<{
      events: string;
      streams: string;
      unused: string | null;
      db: string;
    }>(
      `SELECT current_database() AS db, (SELECT count(*) FROM yl_events) AS events, (SELECT count(*) FROM yl_streams) AS streams,
         (SELECT max(global_position) - count(*) FROM yl_events) AS unused`,
    );
    const events = Number(rows[0]!.events);
    const streams = Number(rows[0]!.streams);
    if (events === 0 && streams === 0)
      throw new EmptyStoreError(
        `the event store in database "${rows[0]!.db}" holds no events and no streams: nothing to verify (the wrong database?)`,
      );
    const breaks = new Breaks(options.maxBreaks ?? 1000);
    const log = await verifyInGlobalOrder(client, events, breaks, options);
    await verifyLinks(client, breaks);
    await verifyHeads(client, breaks);
    await client.query('COMMIT');
    return {
      events,
      streams,
      breakCount: breaks.count,
      breaks: breaks.kept,
      unusedPositions: Number(rows[0]!.unused ?? 0),
      ...log,
    };
  } finally {
    await client.end();
  }
}

/** Compares the store, event by event in global order, with the entries the checkpoints
 * signed, one checkpoint in memory at a time. */
class CheckpointMerge {
  private iterator: AsyncIterator<Checkpoint>;
  private current: Checkpoint | undefined;
  private index = 0;
  private previous: Checkpoint | undefined;
  private stopped = false;
  private read = 0;
  private covered = 0;
  private firstDivergent: CheckpointSummary['firstDivergent'] = null;

  constructor(
    private readonly source: NonNullable<VerifyStoreOptions['checkpoints']>,
    private readonly breaks: Breaks,
  ) {
    this.iterator = source.source[Symbol.asyncIterator]();
  }

  /** Reports the signed entries before `position` the store no longer has; then compares the
   * store's event at `position`. `logHash` is the store's log hash before this event. */
  async event(entry: LogEntry, e: StoredEvent | undefined, logHash: string): Promise<void> {
    for (;;) {
      if (!this.current && !(await this.next())) {
        return;
      }
      const c = this.current!;
      if (this.index === c.entries.length) {
        this.finish(c, logHash);
        continue;
      }
      const signed = c.entries[this.index]!;
      const order = e ? comparePositions(parsePosition(signed[0]), e.position) : -1;
      if (order < 0) {
        this.breaks.add({
          kind: 'deleted',
          stream: signed[1],
          revision: signed[2],
          position: signed[0],
          checkpoint: c.sequence,
          reason: `signed in checkpoint #${c.sequence}, absent from the store (deleted)`,
        });
        this.index += 1;
        continue;
      }
      if (!e) return;
      if (order === 0) {
        this.index += 1;
        this.covered += 1;
        const what = [
          signed[1] !== entry[1] && `stream (signed ${signed[1]})`,
          signed[2] !== entry[2] && `revision (signed ${signed[2]})`,
          signed[3] !== entry[3] && 'content',
        ].filter(Boolean);
        if (what.length > 0)
          this.breaks.add({
            kind: 'rewritten',
            stream: e.stream,
            revision: entry[2],
            position: entry[0],
            eventId: e.eventId,
            checkpoint: c.sequence,
            reason: `${what.join(', ')} differs from checkpoint #${c.sequence} (rewritten)`,
          });
        return;
      }
      // The store has an event the checkpoint covering its position never signed.
      if (comparePositions(e.position, parsePosition(c.position)) <= 0) {
        this.covered += 1;
        this.breaks.add({
          kind: 'inserted',
          stream: e.stream,
          revision: entry[2],
          position: entry[0],
          eventId: e.eventId,
          checkpoint: c.sequence,
          reason: `not in checkpoint #${c.sequence}, which covers its position (inserted)`,
        });
      }
      return;
    }
  }

  private finish(c: Checkpoint, logHash: string): void {
    if (logHash !== c.logHash && !this.firstDivergent)
      this.firstDivergent = { sequence: c.sequence, position: c.position };
    this.previous = c;
    this.current = undefined;
  }

  private async next(): Promise<boolean> {
    if (this.stopped) return false;
    const step = await this.iterator.next();
    if (step.done) {
      this.stopped = true;
      return false;
    }
    const c = step.value;
    const expected = (this.previous?.sequence ?? 0) + 1;
    const problem =
      checkpointProblem(c, this.source.publicKey) ??
      (c.sequence !== expected
        ? `follows checkpoint #${expected - 1}: checkpoint(s) #${expected}…#${c.sequence - 1} missing`
        : c.previousLogHash !== (this.previous?.logHash ?? LOG_GENESIS) ||
            c.previousPosition !== (this.previous?.position ?? null)
          ? `does not continue checkpoint #${expected - 1}`
          : c.count !== (this.previous?.count ?? 0) + c.entries.length
            ? `count ${c.count} is not checkpoint #${expected - 1}'s plus its ${c.entries.length} events`
            : undefined);
    if (problem) {
      this.breaks.add({
        kind: 'checkpoint',
        stream: null,
        revision: null,
        position: c.position,
        checkpoint: c.sequence,
        reason: `checkpoint #${c.sequence} ${problem}; the checkpoints after it are not used`,
      });
      this.stopped = true;
      return false;
    }
    this.read += 1;
    this.current = c;
    this.index = 0;
    return true;
  }

  async end(logHash: string): Promise<CheckpointSummary> {
    await this.event(['', '', '', ''], undefined, logHash);
    if (this.current) this.finish(this.current, logHash);
    return {
      checkpoints: this.read,
      coveredEvents: this.covered,
      lastSequence: this.previous?.sequence ?? null,
      lastPosition: this.previous?.position ?? null,
      firstDivergent: this.firstDivergent,
    };
  }
}

async function verifyInGlobalOrder(
  client: ClientBase,
  total: number,
  breaks: Breaks,
  options: VerifyStoreOptions,
): Promise<Pick<StoreVerification, 'lastPosition' | 'logHash' | 'checkpoints'>> {
  const merge = options.checkpoints && new CheckpointMerge(options.checkpoints, breaks);
  let logHash = LOG_GENESIS;
  let done = 0;
  let last: StoredEvent | undefined;
  for await (const page of readLogPages(client, { pageSize: options.pageSize ?? 2000 })) {
    for (const e of page) {
      const entry = logEntryOf(e);
      if (chainHash(e.previousHash, entry[3]) !== e.hash)
        breaks.add({
          kind: 'altered',
          stream: e.stream,
          revision: entry[2],
          position: entry[0],
          eventId: e.eventId,
          reason: 'content does not match its hash (altered)',
        });
      if (merge) await merge.event(entry, e, logHash);
      logHash = logChainHash(logHash, entry);
    }
    done += page.length;
    last = page[page.length - 1];
    options.onProgress?.(done, total);
  }
  return {
    lastPosition: last ? formatPosition(last.position) : null,
    logHash,
    ...(merge ? { checkpoints: await merge.end(logHash) } : {}),
  };
}

async function* cursorRows<Row>(client: ClientBase, name: string, sql: string): AsyncGenerator<Row> {
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const { rows } = await client.query<Row & object>(`FETCH 1000 FROM ${name}`);
    yield* rows;
    if (rows.length < 1000) break;
  }
  await client.query(`CLOSE ${name}`);
}

interface LinkRow {
  stream_id: string;
  stream_position: string;
  position: string;
  event_id: string;
  predecessor: string | null;
  previous_ok: boolean;
}

async function verifyLinks(client: ClientBase, breaks: Breaks): Promise<void> {
  const rows = cursorRows<LinkRow>(
    client,
    'yl_verify_links',
    `SELECT stream_id, stream_position, tx || '/' || global_position AS position, event_id,
        predecessor, previous_ok
      FROM (SELECT stream_id, stream_position, transaction_id::text AS tx, global_position, event_id,
          lag(stream_position) OVER w AS predecessor,
          previous_hash IS NOT DISTINCT FROM lag(hash) OVER w AS previous_ok
        FROM yl_events WINDOW w AS (PARTITION BY stream_id ORDER BY stream_position)) l
      WHERE stream_position <> coalesce(predecessor, -1) + 1 OR NOT previous_ok`,
  );
  for await (const r of rows) {
    const revision = BigInt(r.stream_position);
    const expected = r.predecessor === null ? 0n : BigInt(r.predecessor) + 1n;
    const at = { stream: r.stream_id, position: r.position, eventId: r.event_id };
    if (revision !== expected) {
      const missing =
        revision - 1n === expected ? `revision ${expected}` : `revisions ${expected}…${revision - 1n}`;
      breaks.add({
        kind: 'link',
        stream: r.stream_id,
        revision: expected.toString(),
        position: null,
        reason: `${missing} missing (deleted): revision ${revision} at ${r.position} follows ${
          r.predecessor === null ? 'nothing' : `revision ${r.predecessor}`
        }`,
      });
    } else
      breaks.add({
        kind: 'link',
        ...at,
        revision: r.stream_position,
        reason: `previous hash is not revision ${r.predecessor ?? '-'}'s hash`,
      });
  }
}

interface HeadRow {
  stream_id: string;
  head_revision: string | null;
  head_ok: boolean | null;
  last_revision: string | null;
  position: string | null;
  event_id: string | null;
}

async function verifyHeads(client: ClientBase, breaks: Breaks): Promise<void> {
  const rows = cursorRows<HeadRow>(
    client,
    'yl_verify_heads',
    `SELECT coalesce(s.stream_id, l.stream_id) AS stream_id, s.revision AS head_revision,
        s.last_hash = l.hash AS head_ok, l.stream_position AS last_revision, l.position, l.event_id
      FROM yl_streams s FULL JOIN (
        SELECT DISTINCT ON (stream_id) stream_id, stream_position, hash, event_id,
            transaction_id::text || '/' || global_position AS position
          FROM yl_events ORDER BY stream_id, stream_position DESC) l ON l.stream_id = s.stream_id
      WHERE s.stream_id IS NULL OR l.stream_id IS NULL OR s.revision <> l.stream_position
        OR s.last_hash <> l.hash`,
  );
  for await (const r of rows) {
    const last = { position: r.position, ...(r.event_id ? { eventId: r.event_id } : {}) };
    if (r.head_revision === null)
      breaks.add({
        kind: 'head',
        stream: r.stream_id,
        revision: r.last_revision,
        ...last,
        reason: `the stream has events up to revision ${r.last_revision} but no stream row (yl_streams row deleted)`,
      });
    else if (r.last_revision === null)
      breaks.add({
        kind: 'head',
        stream: r.stream_id,
        revision: r.head_revision === '0' ? '0' : `0…${r.head_revision}`,
        position: null,
        reason: `the stream row says revision ${r.head_revision}, but the stream has no events (deleted)`,
      });
    else if (BigInt(r.head_revision) > BigInt(r.last_revision)) {
      const first = BigInt(r.last_revision) + 1n;
      const head = BigInt(r.head_revision);
      breaks.add({
        kind: 'head',
        stream: r.stream_id,
        revision: first === head ? `${head}` : `${first}…${head}`,
        position: null,
        reason: `the stream row says revision ${head}, its last event is revision ${r.last_revision} (deleted)`,
      });
    } else if (BigInt(r.head_revision) < BigInt(r.last_revision))
      breaks.add({
        kind: 'head',
        stream: r.stream_id,
        revision: r.last_revision,
        ...last,
        reason: `the stream row says revision ${r.head_revision}, but events go on to revision ${r.last_revision} (added behind the store)`,
      });
    else
      breaks.add({
        kind: 'head',
        stream: r.stream_id,
        revision: r.last_revision,
        ...last,
        reason: `the stream row's last hash is not this event's hash`,
      });
  }
}
