/* The adapter's logic (hash chain, tail check, retries, $all paging, catch-up then live) over an
 * in-memory stand-in for the server. The same suite against a real EventStoreDB is in
 * eventstoredb-event-store.int.spec.ts. */
import { eventStoreContract, readEverything } from '../testing/event-store.contract';
import { sampleEvent, uniqueStream } from '../testing/sample-events';
import { verifyChain } from '../hash-chain';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { InMemoryEventStoreDbClient } from './testing/in-memory-eventstoredb-client';

eventStoreContract(
  'EventStoreDB adapter over an in-memory stand-in for the server',
  async () => new EventStoreDbEventStore(new InMemoryEventStoreDbClient().asClient()),
);

describe('EventStoreDB adapter specifics (in-memory stand-in)', () => {
  let server: InMemoryEventStoreDbClient;
  let store: EventStoreDbEventStore;
  beforeEach(() => {
    server = new InMemoryEventStoreDbClient();
    store = new EventStoreDbEventStore(server.asClient());
  });

  it('keeps system events out of readAll, in pages that fill up past them', async () => {
    const stream = uniqueStream();
    await store.append(stream, [sampleEvent('1')], 'no_stream');
    server.writeSystemEvent();
    server.writeSystemEvent();
    await store.append(stream, [sampleEvent('2'), sampleEvent('3')], 0n);
    const firstTwo = await store.readAll({ maxCount: 2 });
    expect(firstTwo.map((e) => (e.data as { label: string }).label)).toEqual(['1', '2']);
    const rest = await store.readAll({ after: firstTwo[1]!.position, maxCount: 2 });
    expect(rest.map((e) => (e.data as { label: string }).label)).toEqual(['3']);
    expect((await readEverything(store)).every((e) => !e.stream.startsWith('$'))).toBe(true);
  });

  it("lets every writer that said 'any' append, each after the other, chain intact", async () => {
    const stream = uniqueStream();
    await store.append(stream, [sampleEvent('first')], 'no_stream');
    const results = await Promise.all(
      ['x', 'y', 'z'].map((l) => store.append(stream, [sampleEvent(l)], 'any')),
    );
    expect(results.map((r) => r.nextExpectedRevision).sort()).toEqual([1n, 2n, 3n]);
    const events = await store.readStream(stream);
    expect(events).toHaveLength(4);
    expect(verifyChain(events)).toEqual([]);
  });

  it('answers a concurrent resend of the same event once, and refuses a partial re-append', async () => {
    const stream = uniqueStream();
    const [a, b] = [sampleEvent('a'), sampleEvent('b')];
    const results = await Promise.all([1, 2, 3].map(() => store.append(stream, [a], 'any')));
    expect(new Set(results.map((r) => r.events[0]!.position.prepare)).size).toBe(1);
    expect(results.filter((r) => r.alreadyRecorded)).toHaveLength(2);
    await expect(store.append(stream, [b, a], 'any')).rejects.toThrow(/already recorded/);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('writes data as JSON and our metadata with the store fields and $correlationId', async () => {
    const stream = uniqueStream();
    const event = sampleEvent('meta');
    const [recorded] = (await store.append(stream, [event], 'no_stream')).events;
    const [raw] = (await server.readStream(stream).toArray()) as {
      event: { metadata: object; data: object };
    }[];
    expect(raw!.event.data).toEqual(event.data);
    expect(raw!.event.metadata).toEqual({
      ...event.metadata,
      schemaVersion: 1,
      hash: recorded!.hash,
      previousHash: null,
      $correlationId: event.metadata.correlationId,
    });
    expect(recorded!.metadata).toEqual(event.metadata);
  });
});
