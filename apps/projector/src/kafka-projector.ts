import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { RecordedEvent, TopicName } from '@yilian/contracts';
import {
  type ConsumerOptions,
  createKafka,
  ensureTopics,
  type KafkaConfig,
  KafkaEventConsumer,
  type MessagingLogger,
  type TopicSettings,
} from '@yilian/messaging';
import { ALL_PROJECTIONS, type ApplyOutcome, type Projection, ProjectionRunner } from '@yilian/projections';
import { appMetricsRegistry, type HealthReport, recordedTimeReading } from '@yilian/runtime';
import { isTransientDatabaseError } from './database-errors';

/** Consumer settings the projector passes on as they are (retries, sessions, stop grace). */
export type ProjectorConsumerTuning = Partial<
  Pick<
    ConsumerOptions,
    | 'maxAttempts'
    | 'retryDelayMs'
    | 'maxRetryDelayMs'
    | 'sessionTimeoutMs'
    | 'heartbeatIntervalMs'
    | 'stopGraceMs'
    | 'fromBeginning'
    | 'partitionsConsumedConcurrently'
    | 'stableClientId'
  >
>;

export interface KafkaProjectorOptions {
  readonly kafka: KafkaConfig;
  readonly readModelPool: Pool;
  readonly groupId: string;
  readonly topics?: readonly TopicName[];
  readonly projections?: readonly Projection[];
  readonly logger?: MessagingLogger;
  readonly maxWaitTimeMs?: number;
  /** Most events applied in one transaction (default 200); 1 applies each in its own. */
  readonly maxBatchSize?: number;
  readonly consumer?: ProjectorConsumerTuning;
  /** Creates the topics it reads if missing (as the relay does), so a projector started on a
   * fresh broker before the relay waits for events instead of failing. */
  readonly ensureTopics?: TopicSettings;
}

/**
 * The projector role: a Kafka consumer group feeding the read models. What a partition
 * delivers is applied in runs of up to `maxBatchSize` events, each run in one PostgreSQL
 * transaction with the per-stream positions (`applyBatch`), so a redelivery is a no-op; the
 * run's offsets are committed after that transaction. A run a projection throws on is applied
 * again event by event (`apply`, one transaction each), so only the event it cannot apply goes
 * to the dead-letter topic. An unreachable database is waited out, never dead-lettered.
 * Partitions are handled three at a time, each in order.
 */
export class KafkaProjector {
  readonly runner: ProjectionRunner;
  private readonly consumer: KafkaEventConsumer;
  /** Projection applications since start (an event several projections handle counts for each). */
  applied = 0;
  /** Applications skipped as already done (a redelivery). */
  skipped = 0;
  /** When the last event applied was recorded in the log (ISO 8601). */
  lastRecordedAt?: string;

  constructor(private readonly options: KafkaProjectorOptions) {
    const o = options;
    // one lane: the consumer already applies three partitions' batches at once
    // (partitionsConsumedConcurrently), which keeps the cores busy as lanes do for one reader;
    // with lanes too, bench:projector's batched mode stalled in a few runs of many (not found yet)
    this.runner = new ProjectionRunner(o.readModelPool, o.projections ?? ALL_PROJECTIONS, { lanes: 1 });
    this.consumer = new KafkaEventConsumer(o.kafka, {
      // Three partitions at a time (each in order), three transactions in flight: measured
      // 728–872 events/s against 410–462 one partition at a time (npm run bench:projector).
      partitionsConsumedConcurrently: 3,
      ...o.consumer,
      groupId: o.groupId,
      topics: o.topics ?? ['results', 'patients', 'referrals', 'alliance', 'recognition'],
      isTransient: isTransientDatabaseError,
      maxBatchSize: o.maxBatchSize ?? 200,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.maxWaitTimeMs ? { maxWaitTimeMs: o.maxWaitTimeMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.runner.migrate();
    if (this.options.ensureTopics) {
      const { kafka, logger } = this.options;
      await ensureTopics(createKafka(kafka, logger), kafka.topicPrefix, this.options.ensureTopics);
    }
    await this.consumer.run(
      async (event) => this.count(await this.runner.apply(event), [event]),
      async (events: readonly RecordedEvent[]) => this.count(await this.runner.applyBatch(events), events),
    );
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Messages sent to a dead-letter topic since start. */
  get deadLettered(): number {
    return this.consumer.deadLettered;
  }

  /** Messages not yet applied, by partition this member holds (after its last commit). */
  get lag(): readonly { topic: string; partition: number; messages: number }[] {
    return [...this.consumer.lag.values()];
  }

  /** `/health`: ready once it holds its share of the partitions; "starting" while it joins
   * the group (a restarted member waits there for the dead one's session to expire),
   * "rebalancing" while the group re-forms. */
  health(): HealthReport {
    const state = this.consumer.state;
    const partitions = Object.values(this.consumer.assignment).reduce((n, p) => n + p.length, 0);
    return state === 'running' ? { ready: true, status: 'ok', partitions } : { ready: false, status: state };
  }

  private count(outcome: ApplyOutcome, events: readonly RecordedEvent[]): void {
    this.applied += outcome.applied.length;
    this.skipped += outcome.skipped.length;
    const last = events[events.length - 1]?.recordedAt;
    if (last && (!this.lastRecordedAt || Date.parse(last) > Date.parse(this.lastRecordedAt)))
      this.lastRecordedAt = last;
  }
}

/** What an operator watches on a projector: applications and dead letters, and
 * `time() - yilian_projector_last_applied_recorded_seconds`, how far behind the log the read
 * models are while events flow (with Kafka's consumer-group lag beside it). */
export function projectorMetrics(
  projector: KafkaProjector,
  options: { readonly processMetrics?: boolean } = {},
): Registry {
  const registry = appMetricsRegistry(
    'projector',
    [
      {
        name: 'yilian_projector_applied_total',
        help: 'Projection applications since start (an event several projections handle counts for each)',
        type: 'counter',
        read: () => projector.applied,
      },
      {
        name: 'yilian_projector_skipped_total',
        help: 'Applications skipped as already done (redeliveries) since start',
        type: 'counter',
        read: () => projector.skipped,
      },
      {
        name: 'yilian_projector_dead_lettered_total',
        help: 'Messages sent to a dead-letter topic since start',
        type: 'counter',
        read: () => projector.deadLettered,
      },
      recordedTimeReading(
        'yilian_projector_last_applied_recorded_seconds',
        'When the latest event applied was recorded in the log (Unix seconds)',
        () => projector.lastRecordedAt,
      ),
    ],
    options,
  );
  new Gauge({
    name: 'yilian_projector_partition_lag_messages',
    help: 'Messages on the partition not yet applied by this member (high watermark − committed offset)',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { topic, partition, messages } of projector.lag)
        this.set({ topic, partition: String(partition) }, messages);
    },
  });
  return registry;
}
