import {
  KafkaJSError,
  Partitioners,
  type Consumer,
  type EachMessagePayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import { TOPICS, type RecordedEvent, type TopicName } from '@yilian/contracts';
import { deadLetterMessage, deadLetterTopic, decodeMessage, loggableReason } from './dead-letter';
import { createKafka, type KafkaConfig } from './kafka-config';
import { errorMessage, silentLogger, type MessagingLogger } from './logger';

export type EventHandler = (event: RecordedEvent) => Promise<void>;

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly TopicName[];
  /** Handler calls per message before it is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** Wait before the first retry, doubled each time up to maxRetryDelayMs (200 / 5000 ms). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
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
 */
export class KafkaEventConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly logger: MessagingLogger;
  private stopRequested = false;
  private readonly stopping = signal();
  private readonly abandon = signal();
  private stopped?: Promise<void>;

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: ConsumerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    const kafka = options.kafka ?? createKafka(config, this.logger);
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
  }

  /** Joins the group and starts handling messages; resolves once it is running. */
  async run(handler: EventHandler): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((t) => this.config.topicPrefix + TOPICS[t]),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({ autoCommit: false, eachMessage: (payload) => this.handle(payload, handler) });
  }

  /** Leaves the group. A handler still running after the grace period is abandoned and its
   * message left uncommitted, for the next member of the group to handle again. */
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

  private async handle(payload: EachMessagePayload, handler: EventHandler): Promise<void> {
    const { topic, partition, message } = payload;
    const where = { groupId: this.options.groupId, topic, partition, offset: message.offset };
    const decoded = decodeMessage(message);
    const failure =
      'malformed' in decoded ? decoded.malformed : await this.attempt(payload, decoded.event, handler);
    if (failure !== undefined) {
      await this.producer.send({
        topic: deadLetterTopic(topic),
        acks: -1,
        messages: [deadLetterMessage(message, { groupId: this.options.groupId, topic, partition }, failure)],
      });
      const eventId = 'event' in decoded ? decoded.event.id : undefined;
      this.logger.error({ ...where, eventId, reason: loggableReason(failure) }, 'message dead-lettered');
    }
    const next = (BigInt(message.offset) + 1n).toString();
    await this.consumer.commitOffsets([{ topic, partition, offset: next }]);
  }

  /** Calls the handler until it succeeds (→ undefined) or attempts run out (→ the reason). */
  private async attempt(
    { topic, partition, message, heartbeat }: EachMessagePayload,
    event: RecordedEvent,
    handler: EventHandler,
  ): Promise<string | undefined> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    let delay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      if (this.stopRequested) throw new ConsumerStopping();
      try {
        await Promise.race([handler(event), this.abandon.promise]);
        return undefined;
      } catch (e) {
        if (e instanceof ConsumerStopping) throw e;
        if (attempt >= maxAttempts) return errorMessage(e);
        const fields = { topic, partition, offset: message.offset, eventId: event.id, eventType: event.type };
        this.logger.warn({ ...fields, attempt, error: errorMessage(e) }, 'handler failed; will retry');
      }
      await Promise.race([sleep(delay), this.stopping.promise]);
      delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5_000);
      await heartbeat();
    }
  }
}

interface Signal {
  readonly promise: Promise<never>;
  fire(): void;
}

/** A promise that rejects with ConsumerStopping when fired (and never otherwise). */
function signal(): Signal {
  let fire = (): void => undefined;
  const promise = new Promise<never>((_, reject) => {
    fire = () => reject(new ConsumerStopping());
  });
  promise.catch(() => undefined);
  return { promise, fire };
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms).unref());
}
