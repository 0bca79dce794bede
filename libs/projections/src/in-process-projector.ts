import type { GlobalPosition } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import type { ProjectionRunner } from './projection-runner';

/**
 * The embedded hub's projector: follows the store's global log directly in place of Kafka,
 * applying each batch read (up to `batchSize` events, 500) in one transaction together with its
 * global checkpoint, and resumes from that checkpoint after a restart. The next batch is read
 * while one is applied (PostgreSQL reads the log while Node builds the statements).
 */
export class InProcessProjector {
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Projection applications (an event several projections read counts once for each). */
  applied = 0;
  /** Events applied (each counted once, however many projections read it). */
  events = 0;
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
    const read = (at: GlobalPosition | undefined) => {
      const page = this.store.readAll({
        ...(at ? { after: at } : {}),
        maxCount: this.options.batchSize ?? 500,
      });
      page.catch(() => undefined); // read ahead: awaited below, or dropped when stopped or failed
      return page;
    };
    let next = read(after);
    while (!this.stopped) {
      const batch = await next;
      if (batch.length > 0) {
        after = batch[batch.length - 1]!.position;
        next = read(after); // the next page is read while this one is applied
        const outcome = await this.runner.applyBatch(batch, { consumer: this.consumer });
        this.applied += outcome.applied.length;
        this.events += batch.length;
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
      next = read(after);
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
