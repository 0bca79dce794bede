/* The event-store contract against a real EventStoreDB (22.6 or later), when one is reachable:
 *   EVENTSTORE_URL='esdb://admin:changeit@localhost:2113?tls=false' npx jest libs/event-store
 * (reading $all needs a user allowed to: admin by default). Without EVENTSTORE_URL the suite is
 * skipped, and says so. */
import { eventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract('EventStoreDB', async () => EventStoreDbEventStore.connect(url));
} else {
  const reason =
    'EventStore contract: EventStoreDB — skipped: EVENTSTORE_URL is not set (no EventStoreDB reachable on this machine)';
  console.warn(reason);
  process.stderr.write(`\n${reason}\n`);
  describe.skip(reason, () => {
    it('runs the event-store contract against EventStoreDB', () => undefined);
  });
}
