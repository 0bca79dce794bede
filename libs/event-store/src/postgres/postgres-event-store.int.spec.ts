import { Client } from 'pg';
import { createTestDatabase } from '@yilian/testing';
import { eventStoreContract, readEverything, waitFor } from '../testing/event-store.contract';
import { sampleEvent, uniqueStream } from '../testing/sample-events';
import { contentHash } from '../hash-chain';
import { PostgresEventStore } from './postgres-event-store';

let url: string;
const open: PostgresEventStore[] = [];
async function newStore(): Promise<PostgresEventStore> {
  url ??= await createTestDatabase('event_store');
  const store = new PostgresEventStore({ connectionString: url, poolSize: 8, pollIntervalMs: 20 });
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
        `SELECT * FROM yl_append($1, -1, $2::uuid[], $3::text[], $4::int[], $5::json[], $6::json[], $7::text[])`,
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
    for (;;) {
      const [next] = await store.readAll({ after, maxCount: 1 });
      if (!next) break;
      if (next.stream === stream) seen.push(next.id);
      after = next.position;
    }
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
});
