import { AppendBatcher, type AppendBatcherOptions, type Queued } from './append-batcher';

interface Call {
  readonly items: string[];
  /** Answers every item with its own text upper-cased (or an Error for 'bad…'), ends the call. */
  complete(): void;
  /** Ends the call with a rejection, settling nothing itself. */
  fail(error: unknown): void;
}

function harness(options: Partial<AppendBatcherOptions<string, string>> = {}) {
  const calls: Call[] = [];
  const batcher = new AppendBatcher<string, string>({
    maxConcurrent: 2,
    maxItems: 64,
    maxBytes: 1_000,
    sizeOf: (s) => s.length,
    send: (batch: readonly Queued<string, string>[]) =>
      new Promise<void>((done, failed) => {
        calls.push({
          items: batch.map((q) => q.item),
          complete: () => {
            for (const q of batch) {
              if (q.item.startsWith('bad')) q.reject(new Error(q.item));
              else q.resolve(q.item.toUpperCase());
            }
            done();
          },
          fail: failed,
        });
      }),
    ...options,
  });
  return { batcher, calls };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('AppendBatcher', () => {
  it('sends at once, alone, while fewer than maxConcurrent calls are in flight', async () => {
    const { batcher, calls } = harness();
    const a = batcher.submit('a');
    expect(calls.map((c) => c.items)).toEqual([['a']]);
    const b = batcher.submit('b');
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b']]);
    calls[0]!.complete();
    calls[1]!.complete();
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
    expect(batcher.stats).toEqual({ calls: 2, appends: 2, maxBatch: 1 });
  });

  it('with overlapAt, sends a second call while one is in flight only once that many wait', async () => {
    const { batcher, calls } = harness({ overlapAt: 3 });
    const results = ['a', 'b', 'c'].map((s) => batcher.submit(s));
    expect(calls.map((c) => c.items)).toEqual([['a']]); // alone at once: nothing was in flight
    expect(batcher.waiting).toBe(2);
    results.push(batcher.submit('d'));
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    results.push(batcher.submit('e')); // both slots taken: waits, whatever the count
    calls[0]!.complete();
    await tick();
    // one call still in flight and one waiting (< 3): it waits for that call too
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.complete();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    calls[2]!.complete();
    await expect(Promise.all(results)).resolves.toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('gathers what arrives meanwhile and sends it as one call when a call completes', async () => {
    const { batcher, calls } = harness();
    const results = ['a', 'b', 'c', 'd', 'bad-e', 'f'].map((s) => batcher.submit(s));
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b']]);
    expect(batcher.waiting).toBe(4);
    calls[1]!.complete();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b'], ['c', 'd', 'bad-e', 'f']]);
    calls[2]!.complete();
    calls[0]!.complete();
    const settled = await Promise.allSettled(results);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'A',
      'B',
      'C',
      'D',
      'bad-e',
      'F',
    ]);
    expect(batcher.stats).toEqual({ calls: 3, appends: 6, maxBatch: 4 });
  });

  it('keeps a batch within maxItems and maxBytes (a larger item goes alone)', async () => {
    const { batcher, calls } = harness({ maxConcurrent: 1, maxItems: 3, maxBytes: 10 });
    const all = ['0', 'a', 'b', 'c', 'd', 'eeeeeeee', 'ffffffffffffff', 'g'].map((s) => batcher.submit(s));
    for (let i = 0; i < 5; i++) {
      calls[i]!.complete();
      await tick();
    }
    expect(calls.map((c) => c.items)).toEqual([
      ['0'],
      ['a', 'b', 'c'],
      ['d', 'eeeeeeee'],
      ['ffffffffffffff'],
      ['g'],
    ]);
    await Promise.all(all);
  });

  it('rejects the unsettled items of a failed call, and goes on with the next', async () => {
    const { batcher, calls } = harness({ maxConcurrent: 1 });
    const first = batcher.submit('first');
    const second = batcher.submit('second');
    const third = batcher.submit('third');
    calls[0]!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    expect(calls[1]!.items).toEqual(['second', 'third']);
    calls[1]!.complete();
    await expect(second).resolves.toBe('SECOND');
    await expect(third).resolves.toBe('THIRD');
  });

  it('settles the items of a call once its slot is free: the next append goes out at once', async () => {
    const { batcher, calls } = harness({ maxConcurrent: 1 });
    const first = batcher.submit('first');
    calls[0]!.complete();
    await first;
    const next = batcher.submit('next');
    expect(batcher.waiting).toBe(0);
    expect(calls.map((c) => c.items)).toEqual([['first'], ['next']]);
    calls[1]!.complete();
    await expect(next).resolves.toBe('NEXT');
  });

  it('treats a send that throws at once like a failed call', async () => {
    let fail = true;
    const batcher = new AppendBatcher<string, string>({
      maxConcurrent: 1,
      maxItems: 8,
      maxBytes: 100,
      sizeOf: () => 1,
      send: (batch) => {
        if (fail) throw new Error('refused');
        for (const q of batch) q.resolve(q.item);
        return Promise.resolve();
      },
    });
    await expect(batcher.submit('x')).rejects.toThrow('refused');
    fail = false;
    await expect(batcher.submit('y')).resolves.toBe('y');
  });
});
