import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AllianceDirectory, type ReferralAllianceFacts } from '@yilian/alliance';
import { ALLIANCE_REGISTERED } from '@yilian/contracts';
import { EVENT_STORE, type EventStore, type Subscription } from '@yilian/event-store';

/** The alliances intake knows of, kept current by following the log's AllianceRegistered
 * events from the start (filtered by the store: lab reports are not read here); start-up
 * waits until it has caught up, so the first referral already sees every alliance. */
@Injectable()
export class AllianceDirectoryService implements OnModuleInit, OnApplicationShutdown {
  readonly directory = new AllianceDirectory();
  private subscription?: Subscription;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onModuleInit(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.subscription = this.store.subscribe({
        eventTypes: [ALLIANCE_REGISTERED],
        handler: async (event) => this.directory.observe(event),
        onCaughtUp: resolve,
      });
      this.subscription.done.then(
        () => reject(new Error('the alliance directory stopped following the log')),
        reject,
      );
    });
  }

  /** Alliance facts of a referral, read from the alliance streams themselves. */
  referralFacts(sender: string, receiver: string): Promise<ReferralAllianceFacts | undefined> {
    return this.directory.referralFacts(this.store, sender, receiver);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
