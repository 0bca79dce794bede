/* A stand-in for an EventStoreDB server behind @eventstore/db-client, in memory, for the
 * adapter's unit test: the calls EventStoreDbEventStore makes, with the server's behaviour as
 * documented — optimistic concurrency by revision, $all in commit order with system events in
 * it, reads that fail with StreamNotFoundError, reads of $all that start at (and include) the
 * given position, subscriptions that start after it and then go on live. */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type AppendExpectedRevision,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EventStoreDbClient } from '../eventstoredb-event-store';

interface StoredEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly data: string;
  readonly metadata: string;
  readonly created: Date;
  readonly position: Position;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class InMemoryEventStoreDbClient {
  private readonly log: StoredEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private nextPosition = 1_000n;

  constructor() {
    // What a real server has written before anyone else: system streams and event types.
    this.write('$settings', [{ id: randomUUID(), type: '$settings', data: '{}', metadata: '{}' }]);
    this.write('$scavenges', [{ id: randomUUID(), type: '$scavengeStarted', data: '{}', metadata: '{}' }]);
  }

  /** A system event in the middle of the log, as the server's projections would write. */
  writeSystemEvent(): void {
    this.write('$stats-127.0.0.1:2113', [
      { id: randomUUID(), type: '$statsCollected', data: '{}', metadata: '{}' },
    ]);
  }

  private revision(stream: string): bigint {
    let revision = -1n;
    for (const e of this.log) if (e.streamId === stream) revision = e.revision;
    return revision;
  }

  private write(
    stream: string,
    events: readonly { id: string; type: string; data: string; metadata: string }[],
  ): Position {
    let revision = this.revision(stream);
    let position: Position = { commit: 0n, prepare: 0n };
    for (const e of events) {
      revision++;
      position = { commit: this.nextPosition, prepare: this.nextPosition };
      this.nextPosition += 137n;
      this.log.push({ ...e, streamId: stream, revision, created: new Date(), position });
    }
    for (const listener of this.listeners) listener();
    return position;
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<{ success: boolean; nextExpectedRevision: bigint; position?: Position }> {
    await tick();
    const expected = options.expectedRevision ?? 'any';
    const current = this.revision(streamName);
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1n) ||
      (expected === 'stream_exists' && current >= 0n) ||
      expected === current;
    if (!holds) {
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current < 0n ? 'no_stream' : current,
      });
    }
    const list = Array.isArray(events) ? events : [events];
    const position = this.write(
      streamName,
      list.map((e) => ({
        id: e.id,
        type: e.type,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(e.metadata ?? {}),
      })),
    );
    return { success: true, nextExpectedRevision: this.revision(streamName), position };
  }

  readStream(
    streamName: string,
    options: {
      fromRevision?: ReadRevision;
      maxCount?: number | bigint;
      direction?: 'forwards' | 'backwards';
    } = {},
  ): Readable {
    const snapshot = this.log.filter((e) => e.streamId === streamName);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    let events = backwards ? [...snapshot].reverse() : snapshot;
    if (typeof from === 'bigint')
      events = events.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    events = events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return reader(async function* () {
      await tick();
      if (snapshot.length === 0) throw new StreamNotFoundError(undefined, streamName);
      for (const e of events) yield resolved(e);
    });
  }

  readAll(
    options: { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: string } = {},
  ): Readable {
    if (options.direction === 'backwards') throw new Error('fake: backwards $all reads are not used');
    const from = options.fromPosition ?? 'start';
    const events = this.log
      .filter((e) => from === 'start' || (from !== 'end' && !isBefore(e.position, from)))
      .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return reader(async function* () {
      await tick();
      for (const e of events) yield resolved(e);
    });
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): Readable & {
    unsubscribe(): Promise<void>;
  } {
    const from = options.fromPosition ?? 'start';
    const regex = options.filter && 'regex' in options.filter ? new RegExp(options.filter.regex) : undefined;
    const filterOn = options.filter?.filterOn;
    let next = from === 'end' ? this.log.length : 0;
    let wake: (() => void) | undefined;
    let unsubscribed = false;
    const listener = () => wake?.();
    this.listeners.add(listener);
    const log = this.log;
    const stream = reader(async function* () {
      while (!unsubscribed) {
        while (next < log.length) {
          const e = log[next++]!;
          if (from !== 'start' && from !== 'end' && !isBefore(from, e.position)) continue;
          if (regex && !regex.test(filterOn === 'streamName' ? e.streamId : e.type)) continue;
          yield resolved(e);
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    });
    const unsubscribe = async () => {
      unsubscribed = true;
      this.listeners.delete(listener);
      wake?.(); // lets the generator leave its wait, so destroy() can finish it
      stream.destroy();
    };
    stream.on('close', () => void unsubscribe());
    return Object.assign(stream, { unsubscribe });
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
  }

  asClient(): EventStoreDbClient {
    return this as unknown as EventStoreDbClient;
  }
}

function isBefore(a: Position, b: Position): boolean {
  return a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);
}

function reader(generate: () => AsyncGenerator<unknown>): Readable & { cancel(): Promise<void> } {
  const stream = Readable.from(generate(), { objectMode: true });
  return Object.assign(stream, { cancel: async () => void stream.destroy() });
}

function resolved(e: StoredEvent) {
  return {
    event: {
      streamId: e.streamId,
      id: e.id,
      type: e.type,
      revision: e.revision,
      isJson: true,
      created: e.created,
      data: JSON.parse(e.data) as unknown,
      metadata: JSON.parse(e.metadata) as unknown,
      position: e.position,
    },
    commitPosition: e.position.commit,
  };
}
