export * from './event-store.port';
export * from './hash-chain';
export * from './polling-subscription';
export * from './postgres/postgres-event-store';
export * from './postgres/schema';
export * from './eventstoredb/eventstoredb-event-store';
export * from './create-event-store';
export * from './verify-log';
