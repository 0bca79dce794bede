import type { GlobalPosition, RecordedEvent } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import type { Logger } from '@yilian/runtime';
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
 */
export class Relay {
  private stopped = false;
  private wake?: () => void;
  private loopDone?: Promise<void>;
  published = 0;

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
        if (batch.length === 0) {
          await this.sleep(this.options.idleWaitMs ?? 50);
          continue;
        }
        await this.publisher.publish(batch);
        after = batch[batch.length - 1]!.position;
        await this.checkpoints.save(this.options.name, after);
        this.published += batch.length;
      } catch (e) {
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
