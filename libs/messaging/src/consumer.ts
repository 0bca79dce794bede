import {
  KafkaJSError,
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { TOPICS, type RecordedEvent, type TopicName } from '@yilian/contracts';
import {
  deadLetterMessage,
  deadLetterTopic,
  decodeMessage,
  loggableReason,
  type Decoded,
} from './dead-letter';
import { fenceEarlierIncarnations } from './group-fencing';
import { createKafka, type KafkaConfig } from './kafka-config';
import { errorMessage, silentLogger, type MessagingLogger } from './logger';

export type EventHandler = (event: RecordedEvent) => Promise<void>;
/** All or nothing: handles every event given (in partition order) or none, and throws. */
export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export type ConsumerState = 'starting' | 'running' | 'rebalancing' | 'stopped';

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly TopicName[];
  /** Handler calls per message before it is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** Wait before the first retry, doubled each time up to maxRetryDelayMs (200 / 5000 ms). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Errors that say nothing about the message (the handler's database is unreachable, say):
   * retried, backing off, for as long as they last; they never count as an attempt, so they
   * never send a message to the dead-letter topic. Default: none is. */
  readonly isTransient?: (error: unknown) => boolean;
  /** Most messages given to the batch handler in one call (default 200). */
  readonly maxBatchSize?: number;
  /** Partitions handled at the same time (default 1); each one's messages stay in order. */
  readonly partitionsConsumedConcurrently?: number;
  /** Where a new group starts: the oldest retained message (default) or only new ones. */
  readonly fromBeginning?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits on the broker for new messages; bounds how long stop() waits too. */
  readonly maxWaitTimeMs?: number;
  /** How long stop() lets a running handler finish before abandoning it uncommitted (10 s). */
  readonly stopGraceMs?: number;
  readonly logger?: MessagingLogger;
  readonly kafka?: Kafka;
  /** The client id names this instance and stays the same across its restarts: at start, the
   * group's members under this client id (its dead earlier incarnations) are removed first, so
   * the group re-forms at once, not after their session expires (fenceEarlierIncarnations). */
  readonly stableClientId?: boolean;
}

/** Thrown out of a message to leave it uncommitted when the consumer stops mid-way; a
 * (retriable) KafkaJSError, so kafkajs takes it for the interruption it is, not a crash. */
class ConsumerStopping extends KafkaJSError {
  constructor() {
    super('consumer stopping', { retriable: true });
  }
}

/**
 * A consumer group over domain topics that rebuilds recorded events from CloudEvents messages.
 * At-least-once: a message's offset is committed only after the handler succeeded or the
 * message was dead-lettered, so whatever was in flight at a crash or a stop comes again; the
 * handler is idempotent. A handler that keeps failing, or a message that is not a recorded
 * event, goes to `<topic>.dlt` with the reason, and the partition moves on.
 *
 * With a batch handler, each partition's messages as fetched go to it in runs of up to
 * `maxBatchSize`, in order, and a run's offsets are committed once it returned. A run it
 * fails on (for a reason that is not transient) is handled again message by message through
 * the event handler, retries and dead-letter topic included: the message that cannot be
 * handled is dead-lettered, its neighbours are handled.
 */
export class KafkaEventConsumer {
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly logger: MessagingLogger;
  private readonly isTransient: (error: unknown) => boolean;
  private stopRequested = false;
  private readonly stopping = signal();
  private readonly abandon = signal();
  private stopped?: Promise<void>;
  /** Messages sent to a dead-letter topic since start. */
  deadLettered = 0;
  /** Where this member is: joining the group, handling its partitions, re-joining. */
  state: ConsumerState = 'starting';
  /** The partitions the group gave this member at its last join, by topic. */
  assignment: Readonly<Record<string, readonly number[]>> = {};
  /** Messages behind the partition's high watermark after the last commit, by `topic:partition`
   * (partitions this member holds; at a join the ones it no longer holds are dropped). */
  readonly lag = new Map<string, { topic: string; partition: number; messages: number }>();

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: ConsumerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.isTransient = options.isTransient ?? (() => false);
    const kafka = options.kafka ?? createKafka(config, this.logger);
    this.kafka = kafka;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 5_000,
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const { GROUP_JOIN, REBALANCING, STOP, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.state = 'running';
      this.assignment = payload.memberAssignment;
      for (const [key, { topic, partition }] of this.lag)
        if (!payload.memberAssignment[topic]?.includes(partition)) this.lag.delete(key);
    });
    this.consumer.on(REBALANCING, () => void (this.state = 'rebalancing'));
    this.consumer.on(STOP, () => void (this.state = 'stopped'));
    this.consumer.on(CRASH, () => void (this.state = 'starting'));
  }

  /** Joins the group and starts handling messages; resolves once it is running. Without a
   * batch handler, every message goes to `handler` on its own. */
  async run(handler: EventHandler, batchHandler?: BatchHandler): Promise<void> {
    await this.producer.connect();
    if (this.options.stableClientId)
      await fenceEarlierIncarnations(this.kafka, this.options.groupId, this.config.clientId, this.logger);
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.config.topicPrefix + TOPICS[t]),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    // No offset is resolved or committed by kafkajs: this class commits, then resolves, each
    // offset once everything up to it was handled; the rest of a fetched batch left at a stop
    // is fetched again.
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, handler, batchHandler),
    });
  }

  /** Leaves the group. A handler still running after the grace period is abandoned and its
   * message (or run) left uncommitted, for the next member of the group to handle again. */
  stop(): Promise<void> {
    this.stopped ??= this.leave();
    return this.stopped;
  }

  private async leave(): Promise<void> {
    this.stopRequested = true;
    this.stopping.fire();
    const grace = setTimeout(() => this.abandon.fire(), this.options.stopGraceMs ?? 10_000);
    try {
      await this.consumer.disconnect();
      await this.producer.disconnect();
    } finally {
      clearTimeout(grace);
    }
  }

  /** One partition's fetched messages, in order: runs of recorded events to the batch handler,
   * the rest (and every message without a batch handler) one by one. Stops between runs when
   * the consumer stops or the partition is reassigned; what is left is fetched again. */
  private async handleBatch(
    payload: EachBatchPayload,
    handler: EventHandler,
    batchHandler: BatchHandler | undefined,
  ): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const maxRun = batchHandler ? Math.max(1, this.options.maxBatchSize ?? 200) : 1;
    const decoded = batch.messages.map((message) => ({ message, decoded: decodeMessage(message) }));
    const going = () => !this.stopRequested && isRunning() && !isStale();
    for (let i = 0; i < decoded.length && going();) {
      const run: { message: KafkaMessage; event: RecordedEvent }[] = [];
      for (; i < decoded.length && run.length < maxRun; i++) {
        const item = decoded[i]!;
        if (!('event' in item.decoded)) break;
        run.push({ message: item.message, event: item.decoded.event });
      }
      if (run.length > 1 && batchHandler) {
        await this.handleRun(payload, run, handler, batchHandler, going);
      } else if (run.length === 1) {
        await this.handleOne(payload, run[0]!.message, { event: run[0]!.event }, handler);
      } else {
        const malformed = decoded[i++]!;
        await this.handleOne(payload, malformed.message, malformed.decoded, handler);
      }
    }
  }

  /** A run through the batch handler, committed as a whole; if it fails, one by one. */
  private async handleRun(
    payload: EachBatchPayload,
    run: readonly { message: KafkaMessage; event: RecordedEvent }[],
    handler: EventHandler,
    batchHandler: BatchHandler,
    going: () => boolean,
  ): Promise<void> {
    if (await this.attemptRun(payload, run, batchHandler)) {
      await this.committed(payload, run[run.length - 1]!.message);
      return;
    }
    for (const { message, event } of run) {
      if (!going()) return;
      await this.handleOne(payload, message, { event }, handler);
    }
  }

  private async handleOne(
    payload: EachBatchPayload,
    message: KafkaMessage,
    decoded: Decoded,
    handler: EventHandler,
  ): Promise<void> {
    const { topic, partition } = payload.batch;
    const where = { groupId: this.options.groupId, topic, partition, offset: message.offset };
    const failure =
      'malformed' in decoded
        ? decoded.malformed
        : await this.attempt(payload, message, decoded.event, handler);
    if (failure !== undefined) {
      await this.producer.send({
        topic: deadLetterTopic(topic),
        acks: -1,
        messages: [deadLetterMessage(message, { groupId: this.options.groupId, topic, partition }, failure)],
      });
      this.deadLettered++;
      const eventId = 'event' in decoded ? decoded.event.id : undefined;
      this.logger.error({ ...where, eventId, reason: loggableReason(failure) }, 'message dead-lettered');
    }
    await this.committed(payload, message);
  }

  /** Everything up to `message` is handled: its offset is committed, then resolved, so the
   * fetch goes on after it. */
  private async committed(payload: EachBatchPayload, message: KafkaMessage): Promise<void> {
    const { topic, partition } = payload.batch;
    const offset = (BigInt(message.offset) + 1n).toString();
    await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    payload.resolveOffset(message.offset);
    const behind = Number(BigInt(payload.batch.highWatermark) - BigInt(offset));
    this.lag.set(`${topic}:${partition}`, { topic, partition, messages: Math.max(0, behind) });
    await payload.heartbeat();
  }

  /** Calls the batch handler until it succeeds (→ true) or fails for a reason that is not
   * transient (→ false). */
  private async attemptRun(
    { batch: { topic, partition }, heartbeat }: EachBatchPayload,
    run: readonly { message: KafkaMessage; event: RecordedEvent }[],
    batchHandler: BatchHandler,
  ): Promise<boolean> {
    const events = run.map((r) => r.event);
    const fields = {
      topic,
      partition,
      firstOffset: run[0]!.message.offset,
      lastOffset: run[run.length - 1]!.message.offset,
      size: run.length,
    };
    let delay = this.options.retryDelayMs ?? 200;
    for (;;) {
      if (this.stopRequested) throw new ConsumerStopping();
      try {
        await this.abandon.race(batchHandler(events));
        return true;
      } catch (e) {
        if (e instanceof ConsumerStopping) throw e;
        if (!this.isTransient(e)) {
          this.logger.warn({ ...fields, error: errorMessage(e) }, 'batch failed; handling it one by one');
          return false;
        }
        this.logger.warn({ ...fields, error: errorMessage(e) }, 'batch failed (transient); will retry');
      }
      await this.pause(delay, heartbeat);
      delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5_000);
    }
  }

  /** Calls the handler until it succeeds (→ undefined) or attempts run out (→ the reason).
   * A transient failure is retried without counting as an attempt. */
  private async attempt(
    { batch: { topic, partition }, heartbeat }: EachBatchPayload,
    message: KafkaMessage,
    event: RecordedEvent,
    handler: EventHandler,
  ): Promise<string | undefined> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    let delay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ;) {
      if (this.stopRequested) throw new ConsumerStopping();
      try {
        await this.abandon.race(handler(event));
        return undefined;
      } catch (e) {
        if (e instanceof ConsumerStopping) throw e;
        const transient = this.isTransient(e);
        if (!transient && attempt >= maxAttempts) return errorMessage(e);
        const fields = { topic, partition, offset: message.offset, eventId: event.id, eventType: event.type };
        const tried = transient ? { transient } : { attempt: attempt++ };
        this.logger.warn({ ...fields, ...tried, error: errorMessage(e) }, 'handler failed; will retry');
      }
      await this.pause(delay, heartbeat);
      delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5_000);
    }
  }

  /** Waits before a retry (cut short by stop()), then heartbeats. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    await this.stopping.race(sleep(ms));
    await heartbeat();
  }
}

interface Signal {
  fire(): void;
  /** `work`'s outcome, or ConsumerStopping once fired, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T>;
}

/** Rejects what it races with ConsumerStopping when fired. Unlike a race with one promise that
 * never settles, it keeps nothing of a race once `work` settled (that promise would hold a
 * reaction for every message ever handled). */
function signal(): Signal {
  let fired = false;
  const waiting = new Set<() => void>();
  return {
    fire() {
      fired = true;
      for (const stop of waiting) stop();
      waiting.clear();
    },
    race<T>(work: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const stop = () => reject(new ConsumerStopping());
        if (fired) stop();
        else waiting.add(stop);
        work.then(resolve, reject).finally(() => waiting.delete(stop));
      });
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms).unref());
}
