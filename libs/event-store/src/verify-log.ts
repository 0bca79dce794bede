import type { RecordedEvent } from '@yilian/contracts';
import type { EventStore } from './event-store.port';
import { type ChainBreak, verifyChain } from './hash-chain';

export interface LogVerification {
  readonly events: number;
  readonly streams: number;
  readonly breaks: readonly ChainBreak[];
}

/** The auditor's proof that nothing in the log was altered: reads the whole log in global
 * order, recomputes every event's content hash and its link to its stream predecessor. */
export async function verifyLog(store: Pick<EventStore, 'readAll'>): Promise<LogVerification> {
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
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
  const breaks: ChainBreak[] = [];
  for (const stream of byStream.values()) {
    breaks.push(...verifyChain([...stream].sort((a, b) => Number(a.streamPosition - b.streamPosition))));
  }
  return { events, streams: byStream.size, breaks };
}
