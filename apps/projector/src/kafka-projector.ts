import type { Pool } from 'pg';
import type { TopicName } from '@yilian/contracts';
import { type KafkaConfig, KafkaEventConsumer, type MessagingLogger } from '@yilian/messaging';
import { ALL_PROJECTIONS, type Projection, ProjectionRunner } from '@yilian/projections';

export interface KafkaProjectorOptions {
  readonly kafka: KafkaConfig;
  readonly readModelPool: Pool;
  readonly groupId: string;
  readonly topics?: readonly TopicName[];
  readonly projections?: readonly Projection[];
  readonly logger?: MessagingLogger;
  readonly maxWaitTimeMs?: number;
}

/** The projector role: a Kafka consumer group feeding the read models. Each event is applied
 * with its per-stream position in one PostgreSQL transaction, so a redelivery is a no-op. */
export class KafkaProjector {
  readonly runner: ProjectionRunner;
  private readonly consumer: KafkaEventConsumer;
  applied = 0;
  skipped = 0;

  constructor(o: KafkaProjectorOptions) {
    this.runner = new ProjectionRunner(o.readModelPool, o.projections ?? ALL_PROJECTIONS);
    this.consumer = new KafkaEventConsumer(o.kafka, {
      groupId: o.groupId,
      topics: o.topics ?? ['results', 'patients', 'referrals', 'alliance', 'recognition'],
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.maxWaitTimeMs ? { maxWaitTimeMs: o.maxWaitTimeMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.runner.migrate();
    await this.consumer.run(async (event) => {
      const outcome = await this.runner.apply(event);
      this.applied += outcome.applied.length;
      this.skipped += outcome.skipped.length;
    });
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
