/**
 * Which alliances exist, for intake: fed with the log (AllianceRegistered), it knows the ids;
 * the facts a referral needs are then read from the alliance streams themselves, so a member
 * admitted or removed a moment ago counts at once. Alliances are few (tens), their streams short.
 */
import type { EventStore } from '@yilian/event-store';
import { ALLIANCE_REGISTERED, allianceStream, isAllianceRegisteredV1 } from './contracts';
import { allianceStateFrom } from './alliance.handler';
import type { AllianceState } from './alliance.state';
import { referralAllianceFacts, type ReferralAllianceFacts } from './membership';

export class AllianceDirectory {
  private readonly ids = new Set<string>();

  /** Called for every event of the log, in order; keeps the ids of registered alliances. */
  observe(event: { readonly type: string; readonly data: unknown }): void {
    if (event.type === ALLIANCE_REGISTERED && isAllianceRegisteredV1(event.data))
      this.ids.add(event.data.allianceId);
  }

  /** An alliance this process has just registered, before the log brings it back. */
  remember(allianceId: string): void {
    this.ids.add(allianceId);
  }

  get allianceIds(): string[] {
    return [...this.ids].sort();
  }

  async alliances(store: EventStore): Promise<AllianceState[]> {
    return Promise.all(
      this.allianceIds.map(async (id) => allianceStateFrom(await store.readStream(allianceStream(id)))),
    );
  }

  /** The alliance facts of a referral from `sender` to `receiver`; undefined: no shared alliance. */
  async referralFacts(
    store: EventStore,
    sender: string,
    receiver: string,
  ): Promise<ReferralAllianceFacts | undefined> {
    return referralAllianceFacts(await this.alliances(store), sender, receiver);
  }
}
