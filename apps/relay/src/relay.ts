import { downcastToPublished, type GlobalPosition, type RecordedEvent } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import { appMetricsRegistry, type Logger, recordedTimeReading } from '@yilian/runtime';
import type { Registry } from 'prom-client';
import type { PgCheckpointStore } from './checkpoint-store';

export interface EventPublisher {
  /** Resolves only after the broker acknowledged every event. */
  publish(events: readonly RecordedEvent[]): Promise<void>;
}

export interface RelayOptions {
  readonly name: string;
  readonly batchSize?: number;
  readonly idleWaitMs?: number;
  readonly retryWaitMs?: number;
}

/**
 * Follows the event store from its stored checkpoint and publishes each event to Kafka. The
 * checkpoint moves only after Kafka acknowledged the batch: a crash re-publishes at most one
 * batch (at-least-once; consumers are idempotent by stream position).
 *
 * Each event goes out at its type's published version (`downcastToPublished`, AsyncAPI rule
 * 3): an event the log holds at a later version is downcast, so consumers of the published
 * version keep working; the log itself keeps what was recorded.
 */
export class Relay {
  private stopped = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  /** Events published since start. */
  published = 0;
  /** Publish attempts that failed (each retried from the checkpoint). */
  failures = 0;
  /** When the last event published was recorded in the log (ISO 8601). */
  lastRecordedAt?: string;
  /** Whether the last read of the log found nothing more to publish. */
  caughtUp = false;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly checkpoints: PgCheckpointStore,
    private readonly options: RelayOptions,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    let after: GlobalPosition | undefined = await this.checkpoints.load(this.options.name);
    while (!this.stopped) {
      try {
        const batch = await this.store.readAll({ after, maxCount: this.options.batchSize ?? 500 });
        this.caughtUp = batch.length === 0;
        if (batch.length === 0) {
          await this.sleep(this.options.idleWaitMs ?? 50);
          continue;
        }
        await this.publisher.publish(batch.map(downcastToPublished));
        after = batch[batch.length - 1]!.position;
        await this.checkpoints.save(this.options.name, after);
        this.published += batch.length;
        this.lastRecordedAt = batch[batch.length - 1]!.recordedAt;
      } catch (e) {
        this.failures++;
        this.logger?.warn({ err: (e as Error).message }, 'relay: publish failed, retrying from checkpoint');
        after = await this.checkpoints.load(this.options.name).catch(() => after);
        await this.sleep(this.options.retryWaitMs ?? 1000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
  }
}

/** What an operator watches on the relay: `time() - yilian_relay_last_published_recorded_seconds`
 * is how far behind the log Kafka is while events flow; `yilian_relay_caught_up` 0 for long, or
 * failures rising, says it is stuck. */
export function relayMetrics(relay: Relay, options: { readonly processMetrics?: boolean } = {}): Registry {
  return appMetricsRegistry(
    'relay',
    [
      {
        name: 'yilian_relay_published_events_total',
        help: 'Events published to Kafka (acknowledged by the brokers) since start',
        type: 'counter',
        read: () => relay.published,
      },
      {
        name: 'yilian_relay_publish_failures_total',
        help: 'Publish attempts that failed since start (each retried from the checkpoint)',
        type: 'counter',
        read: () => relay.failures,
      },
      recordedTimeReading(
        'yilian_relay_last_published_recorded_seconds',
        'When the last event published was recorded in the log (Unix seconds)',
        () => relay.lastRecordedAt,
      ),
      {
        name: 'yilian_relay_caught_up',
        help: '1 when the last read of the log found nothing more to publish, else 0',
        type: 'gauge',
        read: () => (relay.caughtUp ? 1 : 0),
      },
    ],
    options,
  );
}
