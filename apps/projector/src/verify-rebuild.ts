import { requireString } from '@yilian/config';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';

/** `npm run verify:rebuild`: replays the log from position 0 into a scratch schema and
 * compares every read-model table with the live one. Exits 1 on any difference. */
async function main(): Promise<void> {
  const storeUrl = requireString(process.env, 'EVENT_STORE_URL');
  const store = new PostgresEventStore({ connectionString: storeUrl, poolSize: 2 });
  try {
    const result = await rebuildAndCompare({
      store,
      readModelUrl: requireString(process.env, 'READ_MODEL_DATABASE_URL', storeUrl),
      projections: ALL_PROJECTIONS,
    });
    console.log(`replayed ${result.events} events`);
    for (const t of result.tables)
      console.log(`${t.same ? 'same     ' : 'DIFFERENT'} ${t.table} (${t.rows} rows)`);
    process.exitCode = result.identical ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().catch((e: unknown) => {
  console.error(`verify:rebuild failed: ${(e as Error).message}`);
  process.exit(2);
});
