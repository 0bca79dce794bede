/* One contract suite, run against every event-store adapter (PostgreSQL always, EventStoreDB
 * when one is reachable). Each adapter's *.int.spec.ts calls eventStoreContract(). */
import type { RecordedEvent } from '@yilian/contracts';
import { comparePositions } from '@yilian/contracts';
import { type EventStore, WrongExpectedRevisionError } from '../event-store.port';
import { verifyChain } from '../hash-chain';
import { sampleEvent, uniqueStream } from './sample-events';

const SUBSCRIPTION_TIMEOUT_MS = 30_000;

export function eventStoreContract(name: string, setup: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await setup();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('appends to a new stream and reads it back in order, hash-chained', async () => {
      const stream = uniqueStream();
      const events = [sampleEvent('a'), sampleEvent('b'), sampleEvent('c')];
      const result = await store.append(stream, events, 'no_stream');
      expect(result.nextExpectedRevision).toBe(2n);
      expect(result.alreadyRecorded).toBe(false);
      const read = await store.readStream(stream);
      expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(read.map((e) => e.streamPosition)).toEqual([0n, 1n, 2n]);
      expect(read[0]!.data).toEqual(events[0]!.data);
      expect(read[0]!.metadata).toEqual(events[0]!.metadata);
      expect(read[0]!.previousHash).toBeNull();
      expect(read[1]!.previousHash).toBe(read[0]!.hash);
      expect(verifyChain(read)).toEqual([]);
      const altered = read.map((e, i) => (i === 1 ? { ...e, data: { label: 'forged' } } : e));
      expect(verifyChain(altered)).toEqual([expect.objectContaining({ streamPosition: 1n })]);
    });

    it('refuses an append at the wrong expected revision and writes nothing', async () => {
      const stream = uniqueStream();
      await store.append(stream, [sampleEvent('a')], 'no_stream');
      await expect(store.append(stream, [sampleEvent('b')], 'no_stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append(stream, [sampleEvent('b')], 5n)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append(uniqueStream(), [sampleEvent('c')], 0n)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await store.append(stream, [sampleEvent('b')], 0n);
      expect((await store.readStream(stream)).map((e) => (e.data as { label: string }).label)).toEqual([
        'a',
        'b',
      ]);
    });

    it('lets exactly one of two concurrent writers at the same revision win', async () => {
      const stream = uniqueStream();
      await store.append(stream, [sampleEvent('first')], 'no_stream');
      const results = await Promise.allSettled(
        ['x', 'y', 'z'].map((l) => store.append(stream, [sampleEvent(l)], 0n)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('answers a re-append of the same event ids with the recorded events, once', async () => {
      const stream = uniqueStream();
      const events = [sampleEvent('a'), sampleEvent('b')];
      const first = await store.append(stream, events, 'no_stream');
      const again = await store.append(stream, events, 'no_stream');
      expect(again.alreadyRecorded).toBe(true);
      expect(again.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
      expect(again.nextExpectedRevision).toBe(1n);
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('reads all from a position, exclusive, in global order', async () => {
      const stream = uniqueStream();
      await store.append(
        stream,
        [sampleEvent('1'), sampleEvent('2'), sampleEvent('3'), sampleEvent('4')],
        'no_stream',
      );
      // Visibility waits for every older transaction of the cluster (other test files write to
      // other databases of the same server meanwhile): read again until the events show.
      let mine: RecordedEvent[] = [];
      await waitFor(
        () => mine.length >= 4,
        10_000,
        async () => {
          mine = (await readEverything(store)).filter((e) => e.stream === stream);
        },
      );
      expect(mine).toHaveLength(4);
      const after = await store.readAll({ after: mine[1]!.position, maxCount: 10_000 });
      const rest = after.filter((e) => e.stream === stream).map((e) => e.id);
      expect(rest).toEqual([mine[2]!.id, mine[3]!.id]);
      expect(after.every((e) => comparePositions(e.position, mine[1]!.position) > 0)).toBe(true);
    });

    it(
      'keeps every event, once and in stream order, under concurrent writers followed by a subscriber',
      async () => {
        const streams = Array.from({ length: 12 }, () => uniqueStream());
        const seen: RecordedEvent[] = [];
        let caughtUp = false;
        const sub = store.subscribe({
          handler: async (e) => {
            if (streams.includes(e.stream)) seen.push(e);
          },
          onCaughtUp: () => {
            caughtUp = true;
          },
        });
        const perStream = 8;
        await Promise.all(
          streams.map(async (s) => {
            for (let i = 0; i < perStream; i++) {
              await store.append(s, [sampleEvent(String(i), 500)], i === 0 ? 'no_stream' : BigInt(i - 1));
            }
          }),
        );
        await waitFor(() => seen.length >= streams.length * perStream);
        await sub.stop();
        expect(caughtUp).toBe(true);
        expect(new Set(seen.map((e) => e.id)).size).toBe(streams.length * perStream);
        for (const s of streams) {
          expect(seen.filter((e) => e.stream === s).map((e) => e.streamPosition)).toEqual(
            Array.from({ length: perStream }, (_, i) => BigInt(i)),
          );
        }
        for (let i = 1; i < seen.length; i++) {
          expect(comparePositions(seen[i - 1]!.position, seen[i]!.position)).toBeLessThan(0);
        }
      },
      SUBSCRIPTION_TIMEOUT_MS,
    );

    // A subscription reads below the oldest write transaction in flight in the whole PostgreSQL
    // cluster: another suite's long transaction (on another database of the test server) delays
    // its catching up, never what it delivers. Hence the subscription tests' longer timeouts.
    it(
      'subscription catches up from a position, then goes on live',
      async () => {
        const stream = uniqueStream();
        const before = await store.append(stream, [sampleEvent('old-1'), sampleEvent('old-2')], 'no_stream');
        const seen: string[] = [];
        const caughtUp = new Promise<void>((resolve) => {
          const sub = store.subscribe({
            after: before.events[0]!.position,
            handler: async (e) => {
              if (e.stream === stream) seen.push((e.data as { label: string }).label);
            },
            onCaughtUp: resolve,
          });
          afterAllStops.push(() => sub.stop());
        });
        await caughtUp;
        expect(seen).toEqual(['old-2']);
        await store.append(stream, [sampleEvent('live-1')], 1n);
        await waitFor(() => seen.length === 2);
        expect(seen).toEqual(['old-2', 'live-1']);
      },
      SUBSCRIPTION_TIMEOUT_MS,
    );

    it(
      'a subscription to some event types gets only those, in order, caught up and live',
      async () => {
        const stream = uniqueStream();
        const rare = (label: string) => ({ ...sampleEvent(label), type: 'RareRecorded' });
        await store.append(stream, [sampleEvent('c-1'), rare('r-1'), sampleEvent('c-2')], 'no_stream');
        // many events of other types after it, more than one read's worth
        await Promise.all(
          Array.from({ length: 6 }, () =>
            store.append(
              uniqueStream(),
              Array.from({ length: 120 }, (_, i) => sampleEvent(`x${i}`)),
              'no_stream',
            ),
          ),
        );
        const seen: string[] = [];
        const types = new Set<string>();
        const caughtUp = new Promise<void>((resolve) => {
          const sub = store.subscribe({
            eventTypes: ['RareRecorded'],
            handler: async (e) => {
              types.add(e.type);
              if (e.stream === stream) seen.push((e.data as { label: string }).label);
            },
            onCaughtUp: resolve,
          });
          afterAllStops.push(() => sub.stop());
        });
        await caughtUp;
        expect(seen).toEqual(['r-1']);
        await store.append(stream, [sampleEvent('c-3'), rare('r-2')], 2n);
        await store.append(uniqueStream(), [sampleEvent('c-4')], 'no_stream');
        await store.append(stream, [rare('r-3')], 4n);
        await waitFor(() => seen.length === 3);
        expect(seen).toEqual(['r-1', 'r-2', 'r-3']);
        expect([...types]).toEqual(['RareRecorded']);
      },
      SUBSCRIPTION_TIMEOUT_MS,
    );

    const afterAllStops: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const stop of afterAllStops) await stop();
    });
  });
}

export async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: all[all.length - 1]?.position, maxCount: 1000 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs = 20_000,
  probe?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await probe?.();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
