import type { EventStore } from './event-store.port';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

/** The store named by a URL: `esdb://` / `esdb+discover://` → EventStoreDB, `postgres://` →
 * PostgreSQL (its schema created if missing). */
export async function createEventStore(
  url: string,
  options: { poolSize?: number } = {},
): Promise<EventStore> {
  if (/^esdb(\+discover)?:\/\//.test(url)) return EventStoreDbEventStore.connect(url);
  if (/^postgres(ql)?:\/\//.test(url)) {
    const store = new PostgresEventStore({
      connectionString: url,
      ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    });
    await store.migrate();
    return store;
  }
  throw new Error('EVENT_STORE_URL must start with postgres:// or esdb://');
}
