import { Client } from 'pg';
import type { NewEvent } from '@yilian/contracts';
import { createTestDatabase } from '@yilian/testing';
import { eventStoreContract, readEverything, waitFor } from '../testing/event-store.contract';
import { sampleEvent, uniqueStream } from '../testing/sample-events';
import { contentHash, verifyChain } from '../hash-chain';
import {
  type AppendResult,
  type ExpectedRevision,
  IdempotencyConflictError,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';

let url: string;
const open: PostgresEventStore[] = [];
async function newStore(
  options: Partial<Omit<PostgresEventStoreOptions, 'connectionString'>> = {},
): Promise<PostgresEventStore> {
  url ??= await createTestDatabase('event_store');
  const store = new PostgresEventStore({
    connectionString: url,
    poolSize: 8,
    pollIntervalMs: 20,
    ...options,
  });
  await store.migrate();
  open.push(store);
  return store;
}

eventStoreContract('PostgreSQL', newStore);

describe('PostgreSQL event store specifics', () => {
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = await newStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it('never skips an event committed late by a slower transaction', async () => {
    const slow = new Client({ connectionString: url });
    await slow.connect();
    try {
      const early = sampleEvent('takes-sequence-first');
      const slowStream = uniqueStream();
      await slow.query('BEGIN');
      await slow.query(
        `SELECT * FROM yl_append($1, -1, $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])`,
        [
          slowStream,
          [early.id],
          [early.type],
          [1],
          [JSON.stringify(early.data)],
          [JSON.stringify(early.metadata)],
          [contentHash(slowStream, early)],
        ],
      );
      // A faster writer commits a later sequence number while the slow one is open.
      const fast = await store.append(uniqueStream(), [sampleEvent('commits-first')], 'no_stream');
      // A reader following the log by checkpoint must not move past the slow transaction.
      const seenBefore = await readEverything(store);
      expect(seenBefore.map((e) => e.id)).not.toContain(fast.events[0]!.id);
      const checkpoint = seenBefore[seenBefore.length - 1]?.position;
      await slow.query('COMMIT');
      // Once committed, both show (as soon as no older transaction of the cluster is open).
      let ids: string[] = [];
      await waitFor(
        () => ids.includes(early.id) && ids.includes(fast.events[0]!.id),
        10_000,
        async () => {
          ids = (await store.readAll({ after: checkpoint, maxCount: 10_000 })).map((e) => e.id);
        },
      );
      expect(ids).toContain(early.id);
      expect(ids).toContain(fast.events[0]!.id);
      expect(ids.indexOf(early.id)).toBeLessThan(ids.indexOf(fast.events[0]!.id));
    } finally {
      await slow.end();
    }
  });

  it('orders the global log by transaction id as a number, also where it gains a digit', async () => {
    const stream = uniqueStream();
    const first = (await store.append(stream, [sampleEvent('before')], 'no_stream')).events[0]!;
    const nextPowerOfTen = 10n ** BigInt(first.position.commit.toString().length);
    const burner = new Client({ connectionString: url });
    await burner.connect();
    try {
      await burner.query('SET synchronous_commit TO off');
      await burner.query(
        `DO $$ BEGIN WHILE pg_current_xact_id()::text::bigint < ${nextPowerOfTen} LOOP COMMIT; END LOOP; END $$`,
      );
    } finally {
      await burner.end();
    }
    const second = (await store.append(stream, [sampleEvent('after')], 0n)).events[0]!;
    expect(second.position.commit).toBeGreaterThanOrEqual(nextPowerOfTen);
    const seen: string[] = [];
    let after = { commit: first.position.commit, prepare: first.position.prepare - 1n };
    // Read on until both are seen: a transaction in flight anywhere on the server (another test
    // file's, in parallel) holds the visible bound back for a moment — by design.
    await waitFor(
      () => seen.length >= 2,
      20_000,
      async () => {
        for (;;) {
          const [next] = await store.readAll({ after, maxCount: 1 });
          if (!next) return;
          if (next.stream === stream) seen.push(next.id);
          after = next.position;
        }
      },
    );
    expect(seen).toEqual([first.id, second.id]);
  });

  it('refuses to update or delete a recorded event', async () => {
    const stream = uniqueStream();
    await store.append(stream, [sampleEvent('immutable')], 'no_stream');
    await expect(
      store.pool.query(`UPDATE yl_events SET data = '{}' WHERE stream_id = $1`, [stream]),
    ).rejects.toThrow(/append-only/);
    await expect(store.pool.query(`DELETE FROM yl_events WHERE stream_id = $1`, [stream])).rejects.toThrow(
      /append-only/,
    );
  });

  it('treats a concurrent resend of the same event as one event', async () => {
    const stream = uniqueStream();
    const event = sampleEvent('resent');
    const results = await Promise.all([1, 2, 3].map(() => store.append(stream, [event], 'any')));
    expect(new Set(results.map((r) => r.events[0]!.position.prepare)).size).toBe(1);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('wakes a filtered subscription for an append of a type it reads, not for the others', async () => {
    // a poll interval beyond the first part of the test: only a wake-up makes it read again
    // there (the last part allows one poll: a transaction in flight elsewhere on the server can
    // keep the woken read from seeing the event yet)
    const own = await newStore({ pollIntervalMs: 3_000 });
    const wanted = { ...sampleEvent('wanted'), type: 'WantedHere' };
    const reads = jest.spyOn(own as unknown as { readTypes: () => Promise<unknown> }, 'readTypes');
    const seen: string[] = [];
    const sub = own.subscribe({
      eventTypes: ['WantedHere'],
      handler: async (e) => void seen.push(e.id),
    });
    try {
      await waitFor(() => reads.mock.calls.length === 1);
      await new Promise((r) => setTimeout(r, 50)); // the first read has answered, it sleeps
      for (let i = 0; i < 5; i++) await own.append(uniqueStream(), [sampleEvent(`other-${i}`)], 'no_stream');
      await new Promise((r) => setTimeout(r, 100));
      expect(reads).toHaveBeenCalledTimes(1);

      await own.append(uniqueStream(), [wanted], 'no_stream');
      await waitFor(() => seen.length === 1, 10_000);
      expect(seen).toEqual([wanted.id]);
    } finally {
      await sub.stop();
      reads.mockRestore();
    }
  });
});

type Append = [stream: string, events: readonly NewEvent[], expected: ExpectedRevision];

/**
 * Makes the given appends go out as ONE batch call, and answers their outcomes in order: with
 * one call in flight at most, a first append is sent alone, and everything appended meanwhile
 * waits for it and goes out together.
 */
async function inOneBatch(
  store: PostgresEventStore,
  appends: readonly Append[],
): Promise<PromiseSettledResult<AppendResult>[]> {
  const gate = store.append(uniqueStream(), [sampleEvent('gate')], 'no_stream');
  const results = appends.map(([stream, events, expected]) => store.append(stream, events, expected));
  await gate;
  return Promise.allSettled(results);
}

function fulfilled(r: PromiseSettledResult<AppendResult> | undefined): AppendResult {
  if (r?.status !== 'fulfilled')
    throw new Error(`expected a result, got ${String((r as PromiseRejectedResult)?.reason)}`);
  return r.value;
}

function rejected(r: PromiseSettledResult<AppendResult> | undefined): unknown {
  if (r?.status !== 'rejected') throw new Error('expected a rejection, got a result');
  return r.reason;
}

describe('PostgreSQL event store: group commit', () => {
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
  });

  it('coalesces concurrent appends into fewer calls, every one readable and hash-chained', async () => {
    const store = await newStore();
    const streams = Array.from({ length: 50 }, () => uniqueStream());
    const results = await Promise.all(
      streams.map((s) => store.append(s, [sampleEvent('one', 200), sampleEvent('two')], 'no_stream')),
    );
    const stats = store.appendStats;
    expect(stats.appends).toBe(50);
    expect(stats.calls).toBeLessThan(stats.appends);
    expect(stats.maxBatch).toBeGreaterThan(1);
    expect(stats.fallbacks).toBe(0);
    for (const [i, s] of streams.entries()) {
      expect(results[i]!.alreadyRecorded).toBe(false);
      expect(results[i]!.nextExpectedRevision).toBe(1n);
      const read = await store.readStream(s);
      expect(read.map((e) => e.id)).toEqual(results[i]!.events.map((e) => e.id));
      expect(read.map((e) => e.position)).toEqual(results[i]!.events.map((e) => e.position));
      expect(read.map((e) => e.hash)).toEqual(results[i]!.events.map((e) => e.hash));
      expect(verifyChain(read)).toEqual([]);
    }
    // Appended in one transaction, the batch's events share one commit position.
    const commits = new Set(results.map((r) => r.events[0]!.position.commit));
    expect(commits.size).toBeLessThan(50);
  });

  it('refuses an append at a wrong expected revision within a batch, the others commit', async () => {
    const store = await newStore({ maxConcurrentBatches: 1 });
    const existing = uniqueStream();
    await store.append(existing, [sampleEvent('first')], 'no_stream');
    const [a, b, c, d] = [uniqueStream(), uniqueStream(), uniqueStream(), uniqueStream()];
    const before = store.appendStats;
    const settled = await inOneBatch(store, [
      [a, [sampleEvent('a')], 'no_stream'],
      [existing, [sampleEvent('late')], 5n],
      [b, [sampleEvent('b1'), sampleEvent('b2')], 'any'],
      [c, [sampleEvent('c')], 'stream_exists'],
      [d, [sampleEvent('d')], 'no_stream'],
    ]);
    expect(store.appendStats.maxBatch).toBe(5);
    expect(store.appendStats.calls - before.calls).toBe(2);
    expect(store.appendStats.fallbacks).toBe(0);
    const wrong = rejected(settled[1]) as WrongExpectedRevisionError;
    expect(wrong).toBeInstanceOf(WrongExpectedRevisionError);
    expect(wrong.stream).toBe(existing);
    expect(wrong.expected).toBe(5n);
    expect(wrong.actual).toBe(0n);
    const missing = rejected(settled[3]) as WrongExpectedRevisionError;
    expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
    expect(missing.actual).toBe('no_stream');
    expect(fulfilled(settled[0]).nextExpectedRevision).toBe(0n);
    expect(fulfilled(settled[2]).nextExpectedRevision).toBe(1n);
    expect(fulfilled(settled[4]).nextExpectedRevision).toBe(0n);
    expect(await store.readStream(existing)).toHaveLength(1);
    expect(await store.readStream(c)).toHaveLength(0);
    for (const s of [a, b, d]) expect(verifyChain(await store.readStream(s))).toEqual([]);
    expect((await store.readStream(b)).map((e) => (e.data as { label: string }).label)).toEqual(['b1', 'b2']);
  });

  it('applies appends to the same stream in order within a batch: the second sees the first', async () => {
    const store = await newStore({ maxConcurrentBatches: 1 });
    const chained = uniqueStream();
    const contested = uniqueStream();
    const existing = uniqueStream();
    await store.append(existing, [sampleEvent('e0')], 'no_stream');
    const [existingFirst, ...settled] = await inOneBatch(store, [
      [existing, [sampleEvent('e1')], 0n],
      [chained, [sampleEvent('c1')], 'no_stream'],
      [contested, [sampleEvent('winner')], 'no_stream'],
      [chained, [sampleEvent('c2'), sampleEvent('c3')], 0n],
      [contested, [sampleEvent('loser')], 'no_stream'],
      [chained, [sampleEvent('c4')], 'stream_exists'],
      [existing, [sampleEvent('e2')], 1n],
      [existing, [sampleEvent('stale')], 0n],
    ]);
    expect(store.appendStats.maxBatch).toBe(8);
    expect(store.appendStats.fallbacks).toBe(0); // decided within the batch, not by re-running
    expect(fulfilled(existingFirst).nextExpectedRevision).toBe(1n);
    expect(fulfilled(settled[0]).nextExpectedRevision).toBe(0n);
    expect(fulfilled(settled[2]).nextExpectedRevision).toBe(2n);
    expect(fulfilled(settled[4]).nextExpectedRevision).toBe(3n);
    const chain = await store.readStream(chained);
    expect(chain.map((e) => (e.data as { label: string }).label)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(verifyChain(chain)).toEqual([]);
    // In the global log too, a stream's events come in stream order.
    const prepared = chain.map((e) => e.position.prepare);
    expect([...prepared].sort((x, y) => (x < y ? -1 : 1))).toEqual(prepared);
    expect(fulfilled(settled[1]).nextExpectedRevision).toBe(0n);
    const loser = rejected(settled[3]) as WrongExpectedRevisionError;
    expect(loser).toBeInstanceOf(WrongExpectedRevisionError);
    expect(loser.expected).toBe('no_stream');
    expect(loser.actual).toBe(0n);
    expect((await store.readStream(contested)).map((e) => (e.data as { label: string }).label)).toEqual([
      'winner',
    ]);
    expect(fulfilled(settled[5]).nextExpectedRevision).toBe(2n);
    const stale = rejected(settled[6]) as WrongExpectedRevisionError;
    expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
    expect(stale.actual).toBe(2n);
    const extended = await store.readStream(existing);
    expect(extended.map((e) => (e.data as { label: string }).label)).toEqual(['e0', 'e1', 'e2']);
    expect(verifyChain(extended)).toEqual([]);
  });

  it('answers an idempotent resend within a batch with the first recording; an id reused elsewhere conflicts alone', async () => {
    const store = await newStore({ maxConcurrentBatches: 1 });
    const recorded = uniqueStream();
    const events = [sampleEvent('r1'), sampleEvent('r2')];
    const first = await store.append(recorded, events, 'no_stream');
    const twice = uniqueStream();
    const once = sampleEvent('once');
    const other = uniqueStream();
    const neighbour = uniqueStream();
    const sequence = uniqueStream();
    const settled = await inOneBatch(store, [
      [recorded, events, 'no_stream'],
      [other, [sampleEvent('fresh'), events[0]!], 'no_stream'],
      [twice, [once], 'no_stream'],
      [twice, [once], 'no_stream'],
      [neighbour, [sampleEvent('n')], 'no_stream'],
      // With an id recorded already, the batch is applied append by append: still in order.
      [sequence, [sampleEvent('s1')], 'no_stream'],
      [sequence, [sampleEvent('s2'), sampleEvent('s3')], 0n],
      [sequence, [sampleEvent('s4')], 'no_stream'],
    ]);
    expect(store.appendStats.maxBatch).toBe(8);
    expect(store.appendStats.fallbacks).toBe(0);
    const resend = fulfilled(settled[0]);
    expect(resend.alreadyRecorded).toBe(true);
    expect(resend.nextExpectedRevision).toBe(1n);
    expect(resend.events.map((e) => e.position)).toEqual(first.events.map((e) => e.position));
    expect(resend.events.map((e) => e.hash)).toEqual(first.events.map((e) => e.hash));
    expect(rejected(settled[1])).toBeInstanceOf(IdempotencyConflictError);
    expect(await store.readStream(other)).toHaveLength(0);
    // Recorded by the batch itself, then resent within it.
    const firstInBatch = fulfilled(settled[2]);
    const againInBatch = fulfilled(settled[3]);
    expect(firstInBatch.alreadyRecorded).toBe(false);
    expect(againInBatch.alreadyRecorded).toBe(true);
    expect(againInBatch.events.map((e) => e.position)).toEqual(firstInBatch.events.map((e) => e.position));
    expect(fulfilled(settled[4]).alreadyRecorded).toBe(false);
    expect(fulfilled(settled[6]).nextExpectedRevision).toBe(2n);
    const late = rejected(settled[7]) as WrongExpectedRevisionError;
    expect(late).toBeInstanceOf(WrongExpectedRevisionError);
    expect(late.actual).toBe(2n);
    const sequenced = await store.readStream(sequence);
    expect(sequenced.map((e) => (e.data as { label: string }).label)).toEqual(['s1', 's2', 's3']);
    expect(verifyChain(sequenced)).toEqual([]);
    expect(await store.readStream(recorded)).toHaveLength(2);
    expect(await store.readStream(twice)).toHaveLength(1);
  });

  it('runs each append of a batch that failed as a whole alone, each with its own outcome', async () => {
    const store = await newStore({ maxConcurrentBatches: 1 });
    const existing = uniqueStream();
    const resent = [sampleEvent('resent')];
    await store.append(existing, resent, 'no_stream');
    const dup = sampleEvent('twice-in-one-append');
    const [bad, good, ordered] = [uniqueStream(), uniqueStream(), uniqueStream()];
    const before = store.appendStats;
    const settled = await inOneBatch(store, [
      [good, [sampleEvent('good')], 'no_stream'],
      // The same event id twice in one append: a unique violation fails the whole call.
      [bad, [dup, dup], 'no_stream'],
      [existing, [sampleEvent('late')], 'no_stream'],
      [ordered, [sampleEvent('o1')], 'no_stream'],
      [existing, resent, 'any'],
      [ordered, [sampleEvent('o2')], 0n],
    ]);
    expect(store.appendStats.fallbacks - before.fallbacks).toBe(1);
    expect(store.appendStats.fallbackAppends - before.fallbackAppends).toBe(6);
    expect(fulfilled(settled[0]).nextExpectedRevision).toBe(0n);
    expect(rejected(settled[1])).toEqual(expect.objectContaining({ code: '23505' }));
    expect(await store.readStream(bad)).toHaveLength(0);
    const wrong = rejected(settled[2]) as WrongExpectedRevisionError;
    expect(wrong).toBeInstanceOf(WrongExpectedRevisionError);
    expect(wrong.actual).toBe(0n);
    expect(fulfilled(settled[3]).nextExpectedRevision).toBe(0n);
    expect(fulfilled(settled[4]).alreadyRecorded).toBe(true);
    expect(fulfilled(settled[5]).nextExpectedRevision).toBe(1n);
    const orderedRead = await store.readStream(ordered);
    expect(orderedRead.map((e) => (e.data as { label: string }).label)).toEqual(['o1', 'o2']);
    expect(verifyChain(orderedRead)).toEqual([]);
    expect(await store.readStream(existing)).toHaveLength(1);
    expect(await store.readStream(good)).toHaveLength(1);
  });

  it('refuses a batch whose arrays do not match, writing nothing', async () => {
    const store = await newStore();
    const stream = uniqueStream();
    const [a, b] = [sampleEvent('a'), sampleEvent('b')];
    // Two events, but the counts claim one: the second would otherwise be dropped silently.
    await expect(
      store.pool.query(
        `SELECT * FROM yl_append_batch($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[],
           $6::int[], $7::text[], $8::text[], $9::text[])`,
        [
          [stream],
          ['-1'],
          [1],
          [a.id, b.id],
          [a.type, b.type],
          [1, 1],
          [JSON.stringify(a.data), JSON.stringify(b.data)],
          [JSON.stringify(a.metadata), JSON.stringify(b.metadata)],
          [contentHash(stream, a), contentHash(stream, b)],
        ],
      ),
    ).rejects.toMatchObject({ code: '22023' });
    expect(await store.readStream(stream)).toHaveLength(0);
  });

  it('loses nothing when a concurrent writer wins a race against a batch (whole call fails, appends rerun alone)', async () => {
    const store = await newStore({ maxConcurrentBatches: 1 });
    const raced = uniqueStream();
    const event = sampleEvent('raced');
    const other = new Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      const { rows } = await other.query<{ out_global_position: string }>(
        `SELECT * FROM yl_append($1, -1, $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])`,
        [
          raced,
          [event.id],
          [event.type],
          [1],
          [JSON.stringify(event.data)],
          [JSON.stringify(event.metadata)],
          [contentHash(raced, event)],
        ],
      );
      const [x, y] = [uniqueStream(), uniqueStream()];
      const pending = inOneBatch(store, [
        [x, [sampleEvent('x')], 'no_stream'],
        [raced, [event], 'no_stream'],
        [y, [sampleEvent('y')], 'no_stream'],
      ]);
      // The batch waits for the other writer's uncommitted event id; then the other commits.
      let waiting = 0;
      await waitFor(
        () => waiting > 0,
        20_000,
        async () => {
          const { rows: w } = await store.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()
               AND wait_event_type = 'Lock' AND query LIKE '%yl_append_batch(%'`,
          );
          waiting = Number(w[0]!.n);
        },
      );
      await other.query('COMMIT');
      const settled = await pending;
      expect(store.appendStats.fallbacks).toBe(1);
      expect(fulfilled(settled[0]).alreadyRecorded).toBe(false);
      const resend = fulfilled(settled[1]);
      expect(resend.alreadyRecorded).toBe(true);
      expect(resend.events[0]!.position.prepare).toBe(BigInt(rows[0]!.out_global_position));
      expect(fulfilled(settled[2]).alreadyRecorded).toBe(false);
      for (const s of [x, raced, y]) {
        const read = await store.readStream(s);
        expect(read).toHaveLength(1);
        expect(verifyChain(read)).toEqual([]);
      }
    } finally {
      await other.end();
    }
  });
});

describe('PostgreSQL event store: a log from an earlier schema', () => {
  it('brings a schema-3 log (json columns) to text columns with every byte and hash kept', async () => {
    const db = await createTestDatabase('event_store_v3');
    const first = new PostgresEventStore({ connectionString: db, poolSize: 2 });
    await first.migrate();
    const stream = uniqueStream();
    // key order and spacing an auditor's tools must not change: the hash is over this text
    const events = [sampleEvent('v3-a', 3000), { ...sampleEvent('v3-b'), data: { z: 1, a: '钾 \u00e9' } }];
    await first.append(stream, events, 'no_stream');
    // what schema 3 looked like: the same texts in json columns, the functions taking json[]
    await first.pool.query(
      `ALTER TABLE yl_events ALTER COLUMN data TYPE json USING data::json,
         ALTER COLUMN metadata TYPE json USING metadata::json`,
    );
    const before = await first.pool.query<{ data: string; hash: string }>(
      'SELECT data::text AS data, hash FROM yl_events WHERE stream_id = $1 ORDER BY stream_position',
      [stream],
    );
    await first.close();

    const store = new PostgresEventStore({ connectionString: db, poolSize: 2 });
    try {
      await store.migrate();
      const after = await store.pool.query<{ data: string; hash: string; type: string }>(
        `SELECT e.data, e.hash, c.data_type AS type FROM yl_events e, information_schema.columns c
         WHERE e.stream_id = $1 AND c.table_name = 'yl_events' AND c.column_name = 'data'
         ORDER BY e.stream_position`,
        [stream],
      );
      expect(after.rows.map((r) => r.type)).toEqual(['text', 'text']);
      expect(after.rows.map(({ data, hash }) => ({ data, hash }))).toEqual(before.rows);
      const read = await store.readStream(stream);
      expect(verifyChain(read)).toEqual([]);
      expect(read.map((e) => e.data)).toEqual(events.map((e) => e.data));
      await store.append(stream, [sampleEvent('v4')], 1n); // and it goes on appending
      expect(verifyChain(await store.readStream(stream))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('is refused with a message saying what to do, not mixed with this version’s events', async () => {
    const old = await createTestDatabase('event_store_v1');
    const client = new Client({ connectionString: old });
    await client.connect();
    await client.query(
      `CREATE TABLE yl_events (global_position bigint PRIMARY KEY, data jsonb NOT NULL, metadata jsonb NOT NULL)`,
    );
    await client.end();
    const store = new PostgresEventStore({ connectionString: old, poolSize: 1 });
    try {
      await expect(store.migrate()).rejects.toThrow(
        /earlier version \(yl_events\.data is jsonb.*new database/,
      );
    } finally {
      await store.close();
    }
  });
});
