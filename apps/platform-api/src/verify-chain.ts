import { requireString } from '@yilian/config';
import type { RecordedEvent } from '@yilian/contracts';
import { createEventStore, verifyChain, type ChainBreak } from '@yilian/event-store';

/**
 * `npm run verify:chain`: the auditor's proof that nothing in the log was altered. Reads the
 * whole log in global order, recomputes every event's content hash and its link to its stream
 * predecessor, and prints each break. Exits 1 when any stream's chain is broken.
 */
async function main(): Promise<void> {
  const store = await createEventStore(requireString(process.env, 'EVENT_STORE_URL'), { poolSize: 2 });
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
  try {
    for (let after; ;) {
      const batch = await store.readAll({ ...(after ? { after } : {}), maxCount: 1000 });
      if (batch.length === 0) break;
      for (const e of batch) {
        const stream = byStream.get(e.stream);
        if (stream) stream.push(e);
        else byStream.set(e.stream, [e]);
      }
      events += batch.length;
      after = batch[batch.length - 1]!.position;
    }
  } finally {
    await store.close();
  }
  const breaks: ChainBreak[] = [];
  for (const stream of byStream.values()) {
    breaks.push(...verifyChain([...stream].sort((a, b) => Number(a.streamPosition - b.streamPosition))));
  }
  for (const b of breaks) console.log(`BROKEN ${b.stream} @${b.streamPosition} (${b.eventId}): ${b.reason}`);
  console.log(`${events} events in ${byStream.size} streams verified; ${breaks.length} break(s)`);
  process.exitCode = breaks.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`verify:chain failed: ${(e as Error).message}`);
  process.exit(2);
});
