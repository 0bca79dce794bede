import { requireString } from '@yilian/config';
import { createEventStore, verifyLog } from '@yilian/event-store';

/**
 * `npm run verify:chain`: the auditor's proof that nothing in the log was altered. Reads the
 * whole log in global order, recomputes every event's content hash and its link to its stream
 * predecessor, and prints each break. Exits 1 when any stream's chain is broken.
 */
async function main(): Promise<void> {
  const store = await createEventStore(requireString(process.env, 'EVENT_STORE_URL'), { poolSize: 2 });
  const result = await verifyLog(store).finally(() => store.close());
  for (const b of result.breaks)
    console.log(`BROKEN ${b.stream} @${b.streamPosition} (${b.eventId}): ${b.reason}`);
  console.log(
    `${result.events} events in ${result.streams} streams verified; ${result.breaks.length} break(s)`,
  );
  process.exitCode = result.breaks.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`verify:chain failed: ${(e as Error).message}`);
  process.exit(2);
});
