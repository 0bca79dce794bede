import type { GlobalPosition, NewEvent, RecordedEvent } from '@yilian/contracts';

/** 'no_stream': the stream must not exist; 'any': no check; a bigint: the stream's current
 * revision (0-based position of its last event) must be exactly that. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendResult {
  /** Revision of the stream after the append (position of its last event). */
  readonly nextExpectedRevision: bigint;
  /** The events as recorded (for an idempotent re-append: as recorded the first time). */
  readonly events: readonly RecordedEvent[];
  /** True when every event was already in the stream with the same id: nothing was written. */
  readonly alreadyRecorded: boolean;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id that is already recorded in another stream, or a re-append whose events only
 * partly match what is recorded. */
export class IdempotencyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyConflictError';
  }
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
}

export interface Subscription {
  /** Stops the subscription; resolves once the handler is no longer called. */
  stop(): Promise<void>;
  /** Resolves when the subscription fails (handler threw, store unreachable). */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  readonly after?: GlobalPosition;
  /** Only events of these types reach the handler. The store filters where it reads (a
   * follower of a few rare types — the alliance directory — does not read every lab report of
   * the log); positions still advance past everything else. */
  readonly eventTypes?: readonly string[];
  /** Called for each event in global order, one at a time; the next waits for it. */
  readonly handler: (event: RecordedEvent) => Promise<void>;
  /** Called when the subscription has caught up with the log (then goes on live). */
  readonly onCaughtUp?: () => void;
}

/** The event store port: the one place facts are recorded. */
export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in order; empty when it does not exist. */
  readStream(
    stream: string,
    options?: { fromRevision?: bigint; maxCount?: number },
  ): Promise<RecordedEvent[]>;
  /** Events in global order, never skipping one committed late. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the last event committed now, where a store's readAll can lag behind it
   * (PostgreSQL: below a transaction still open) — so that a reader knows an empty page is not
   * the end. A store without it: an empty page is the end. */
  headPosition?(): Promise<GlobalPosition | undefined>;
  /** Catch up from `after`, then follow live. */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
