// Types only: @eventstore/db-client (gRPC) is loaded by connect(), so importing this module
// (and @yilian/event-store) costs nothing to processes that run on PostgreSQL.
import type {
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendExpectedRevision,
  EventStoreDBClient,
  ReadPosition,
  RegexFilter,
  ResolvedEvent,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { GlobalPosition, NewEvent, RecordedEvent } from '@yilian/contracts';
import { comparePositions, START } from '@yilian/contracts';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  IdempotencyConflictError,
  type ReadAllOptions,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { chainHash, contentHash } from '../hash-chain';
import { isSystemEvent, toEventData, toRecorded } from './eventstoredb-events';

/** The calls this store makes, so a test can stand in for a server. */
export type EventStoreDbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

export interface EventStoreDbEventStoreOptions {
  /** Appends retried after a concurrent writer moved the stream (only where the caller's
   * expected revision still holds: 'any', 'stream_exists'). */
  readonly maxAppendAttempts?: number;
}

type Revision = bigint | 'no_stream';

/** What the client's excludeSystemEvents() builds: event types not starting with `$`. */
const EXCLUDE_SYSTEM_EVENTS: RegexFilter = { filterOn: 'eventType', regex: '^[^$].*', checkpointInterval: 1 };

/** The client's errors by their `type` (ErrorType), without loading the client to compare classes. */
function isCommandError(e: unknown, type: 'stream-not-found'): boolean;
function isCommandError(e: unknown, type: 'wrong-expected-version'): e is WrongExpectedVersionError;
function isCommandError(e: unknown, type: string): boolean {
  return typeof e === 'object' && e !== null && (e as { type?: unknown }).type === type;
}

/**
 * The event store on EventStoreDB (22.6 or later; reading $all needs a user allowed to, e.g.
 * `esdb://admin:changeit@host:2113`). Same contract as the PostgreSQL store, hash chain
 * included: each append first reads the stream's tail (its last hash, and whether these very
 * events are already there), then appends at exactly the revision it read.
 *
 * Idempotency differs in reach: a re-append is recognised when its events are the last ones
 * of the stream (what a resend is); an id recorded earlier in the stream or in another stream
 * is not looked for, as EventStoreDB has no index on event ids.
 */
export class EventStoreDbEventStore implements EventStore {
  /** e.g. `esdb://admin:changeit@localhost:2113?tls=false` */
  static async connect(
    connectionString: string,
    options?: EventStoreDbEventStoreOptions,
  ): Promise<EventStoreDbEventStore> {
    const { EventStoreDBClient } = await import('@eventstore/db-client');
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  constructor(
    private readonly client: EventStoreDbClient,
    private readonly options: EventStoreDbEventStoreOptions = {},
  ) {}

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append: no events');
    const contents = events.map((e) => contentHash(stream, e));
    const maxAttempts = this.options.maxAppendAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      const tail = await this.readTail(stream, events.length);
      if (isSameEvents(tail, events)) {
        return {
          nextExpectedRevision: tail[tail.length - 1]!.streamPosition,
          events: tail,
          alreadyRecorded: true,
        };
      }
      const overlap = events.find((e) => tail.some((t) => t.id === e.id));
      if (overlap) {
        throw new IdempotencyConflictError(
          `event ${overlap.id} is already recorded in ${stream}, but not with all the events appended with it`,
        );
      }
      const current: Revision = tail.length > 0 ? tail[tail.length - 1]!.streamPosition : 'no_stream';
      if (!satisfies(expected, current)) throw new WrongExpectedRevisionError(stream, expected, current);

      let previous = tail.length > 0 ? tail[tail.length - 1]!.hash : null;
      const data = events.map((e, i) => {
        const link = { previousHash: previous, hash: chainHash(previous, contents[i]!) };
        previous = link.hash;
        return toEventData(e, link);
      });
      const expectedRevision: AppendExpectedRevision = current;
      let moved: Revision | undefined;
      try {
        const result = await this.client.appendToStream(stream, data, { expectedRevision });
        if (!result.success)
          moved = result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision;
      } catch (e) {
        if (!isCommandError(e, 'wrong-expected-version')) throw e;
        moved = e.actualVersion;
      }
      if (moved === undefined) {
        const first = current === 'no_stream' ? 0n : current + 1n;
        const recorded = await this.readStream(stream, { fromRevision: first, maxCount: events.length });
        return {
          nextExpectedRevision: recorded[recorded.length - 1]!.streamPosition,
          events: recorded,
          alreadyRecorded: false,
        };
      }
      // Another writer got there first. The next attempt reads the tail again: it answers a
      // concurrent resend of these same events idempotently, refuses where the caller's
      // expected revision no longer holds, and otherwise appends after the newcomer.
      if (attempt >= maxAttempts) throw new WrongExpectedRevisionError(stream, expected, moved);
    }
  }

  /** The stream's last `count` events, in stream order; empty when it does not exist. */
  private async readTail(stream: string, count: number): Promise<RecordedEvent[]> {
    const events = await this.collect(
      this.client.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: count }),
    );
    return events.reverse();
  }

  async readStream(
    stream: string,
    options: { fromRevision?: bigint; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    return this.collect(
      this.client.readStream(stream, {
        direction: 'forwards',
        fromRevision: options.fromRevision ?? 'start',
        maxCount: options.maxCount,
      }),
    );
  }

  private async collect(read: AsyncIterable<ResolvedEvent>): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of read) if (resolved.event) events.push(toRecorded(resolved.event));
    } catch (e) {
      if (isCommandError(e, 'stream-not-found')) return [];
      throw e;
    }
    return events;
  }

  /** Reads $all in pages from `after` (the server starts a page at the position it is given;
   * what is at or before `after` is dropped here), skipping system events. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? 1000;
    const events: RecordedEvent[] = [];
    let after = options.after ?? START;
    for (;;) {
      const from: ReadPosition = comparePositions(after, START) === 0 ? 'start' : after;
      const page: AllStreamResolvedEvent[] = [];
      for await (const resolved of this.client.readAll({
        direction: 'forwards',
        fromPosition: from,
        maxCount: maxCount + 1,
      })) {
        page.push(resolved);
      }
      for (const { event } of page) {
        if (!event || comparePositions(event.position, after) <= 0 || isSystemEvent(event)) continue;
        events.push(toRecorded(event));
        if (events.length === maxCount) return events;
      }
      const last = page[page.length - 1]?.event?.position;
      if (page.length < maxCount + 1 || !last || comparePositions(last, after) <= 0) return events;
      after = last;
    }
  }

  /** Catches up by reading $all from `after`, then follows a live subscription to $all from
   * the last event handled. */
  subscribe(subscribeOptions: SubscribeOptions): Subscription {
    // Types filtered here, on the client: correct, though every event still travels.
    const wanted = subscribeOptions.eventTypes && new Set(subscribeOptions.eventTypes);
    const options: SubscribeOptions = wanted
      ? {
          ...subscribeOptions,
          handler: (e) => (wanted.has(e.type) ? subscribeOptions.handler(e) : Promise.resolve()),
        }
      : subscribeOptions;
    let stopped = false;
    let live: AllStreamSubscription | undefined;
    const loop = async () => {
      let after: GlobalPosition = options.after ?? START;
      for (;;) {
        const batch = await this.readAll({ after, maxCount: 500 });
        if (stopped) return;
        if (batch.length === 0) break;
        for (const event of batch) {
          if (stopped) return;
          await options.handler(event);
          after = event.position;
        }
      }
      options.onCaughtUp?.();
      if (stopped) return;
      live = this.client.subscribeToAll({
        fromPosition: comparePositions(after, START) === 0 ? 'start' : after,
        filter: EXCLUDE_SYSTEM_EVENTS,
      });
      try {
        for await (const { event } of live) {
          if (stopped) return;
          if (!event || comparePositions(event.position, after) <= 0 || isSystemEvent(event)) continue;
          const recorded = toRecorded(event);
          await options.handler(recorded);
          after = recorded.position;
        }
      } catch (e) {
        if (!stopped) throw e;
      }
    };
    const done = loop().finally(() => {
      void live?.unsubscribe().catch(() => undefined);
    });
    return {
      done,
      stop: async () => {
        stopped = true;
        await live?.unsubscribe().catch(() => undefined);
        live?.destroy();
        await done.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

function satisfies(expected: ExpectedRevision, current: Revision): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 'no_stream';
    case 'stream_exists':
      return current !== 'no_stream';
    default:
      return current === expected;
  }
}

function isSameEvents(tail: readonly RecordedEvent[], events: readonly NewEvent[]): boolean {
  return tail.length === events.length && tail.every((t, i) => t.id === events[i]!.id);
}
