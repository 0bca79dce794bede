/* replayLog (the rebuild's path) reads up to the head of the log as it was at its start: an
 * empty readAll page while another transaction is open on the server is not the end — readAll
 * stops below the oldest open transaction, and what was committed after it shows once it ends. */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import type { NewEvent } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import { ALL_PROJECTIONS } from './registry';
import { ProjectionRunner } from './projection-runner';
import { replayLog } from './rebuild';

const noted = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'ReplayTestNoted', // no projection reads it: the replay still reads past it
  schemaVersion: 1,
  data: { n },
  metadata: {
    source: { institution: 'H001', messageId: `m${n}`, protocol: 'hl7v2' },
    correlationId: randomUUID(),
    occurredAt: new Date().toISOString(),
  },
});

let url: string;
let store: PostgresEventStore;
let pool: Pool;
let blocker: Client;

beforeAll(async () => {
  url = await createTestDatabase('replay_head');
  store = new PostgresEventStore({ connectionString: url, poolSize: 4 });
  await store.migrate();
  pool = new Pool({ connectionString: url, max: 2 });
  blocker = new Client({ connectionString: url });
  await blocker.connect();
});

afterAll(async () => {
  await blocker.query('ROLLBACK').catch(() => undefined);
  await blocker.end();
  await pool.end();
  await store.close();
});

/** A transaction that holds an xid (as an append in flight does) until ended. */
async function openTransaction(): Promise<void> {
  await blocker.query('BEGIN');
  await blocker.query('SELECT pg_current_xact_id()');
}

it('waits out an open transaction and reads every event committed before it started', async () => {
  const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  await runner.migrate();
  for (let i = 0; i < 3; i++) await store.append(`replay-a-${i}`, [noted(i)], 'no_stream');
  await openTransaction();
  for (let i = 0; i < 4; i++) await store.append(`replay-b-${i}`, [noted(10 + i)], 'no_stream');
  // the premise: while it is open, readAll shows at most what was committed before it (fewer
  // when another test file's transaction on the same server is older)
  expect((await store.readAll({ maxCount: 100 })).length).toBeLessThanOrEqual(3);

  let settled = false;
  const replay = replayLog(store, runner, undefined, { pageSize: 2 }).finally(() => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(settled).toBe(false); // an empty page short of the head is not the end
  await blocker.query('COMMIT');
  const { events, after } = await replay;
  expect(events).toBe(7);
  expect(after).toEqual(await store.headPosition());
});

it('gives up with an error naming the cause when the transaction stays open', async () => {
  const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  const from = await store.headPosition();
  await openTransaction();
  await store.append('replay-c-0', [noted(20)], 'no_stream');
  try {
    await expect(replayLog(store, runner, from, { waitMs: 200 })).rejects.toThrow(
      /not readable after 200 ms .*a transaction still open/,
    );
  } finally {
    await blocker.query('COMMIT');
  }
  // once it ended, the same replay goes through
  expect((await replayLog(store, runner, from)).events).toBe(1);
});

it('an empty log, and a replay from the head, read nothing', async () => {
  const empty = new PostgresEventStore({
    connectionString: await createTestDatabase('replay_empty'),
    poolSize: 1,
  });
  try {
    await empty.migrate();
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    expect(await replayLog(empty, runner)).toEqual({ events: 0, after: undefined });
    const head = await store.headPosition();
    expect(await replayLog(store, runner, head)).toEqual({ events: 0, after: head });
  } finally {
    await empty.close();
  }
});
