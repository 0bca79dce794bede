import type { EventStore, Subscription } from '@yilian/event-store';
import type { ProjectionRunner } from './projection-runner';

/**
 * The embedded hub's projector: the store's own subscription in place of Kafka. Resumes from
 * the global checkpoint kept in the same transaction as the read model.
 */
export class InProcessProjector {
  private subscription?: Subscription;
  applied = 0;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly consumer = 'in-process-projector',
  ) {}

  async start(onCaughtUp?: () => void): Promise<void> {
    const after = await this.runner.checkpoint(this.consumer);
    this.subscription = this.store.subscribe({
      ...(after ? { after } : {}),
      handler: async (event) => {
        await this.runner.apply(event, { consumer: this.consumer });
        this.applied++;
      },
      ...(onCaughtUp ? { onCaughtUp } : {}),
    });
  }

  /** Resolves when the subscription fails; the hub treats that as fatal and exits. */
  get done(): Promise<void> | undefined {
    return this.subscription?.done;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
