import type { GlobalPosition } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import type { ProjectionRunner } from './projection-runner';

/**
 * The embedded hub's projector: follows the store's global log directly in place of Kafka,
 * applying each batch read (up to `batchSize` events) in one transaction together with its
 * global checkpoint, and resumes from that checkpoint after a restart.
 */
export class InProcessProjector {
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  applied = 0;
  /** When the latest event applied was recorded in the log (ISO 8601). */
  lastRecordedAt?: string;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly consumer = 'in-process-projector',
    private readonly options: { batchSize?: number; idleWaitMs?: number } = {},
  ) {}

  async start(onCaughtUp?: () => void): Promise<void> {
    const after = await this.runner.checkpoint(this.consumer);
    this.loop = this.follow(after, onCaughtUp);
  }

  private async follow(from: GlobalPosition | undefined, onCaughtUp?: () => void): Promise<void> {
    let after = from;
    let caughtUp = false;
    while (!this.stopped) {
      const batch = await this.store.readAll({
        ...(after ? { after } : {}),
        maxCount: this.options.batchSize ?? 200,
      });
      if (batch.length > 0) {
        const outcome = await this.runner.applyBatch(batch, { consumer: this.consumer });
        this.applied += outcome.applied.length;
        after = batch[batch.length - 1]!.position;
        this.lastRecordedAt = batch[batch.length - 1]!.recordedAt;
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        onCaughtUp?.();
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.options.idleWaitMs ?? 50);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Resolves when following the log fails (a projection threw); the hub treats it as fatal. */
  get done(): Promise<void> | undefined {
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
  }
}
