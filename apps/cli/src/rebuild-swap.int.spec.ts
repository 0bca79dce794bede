import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import { OUTPATIENT_VOLUME_REPORTED } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, InProcessProjector, ProjectionRunner } from '@yilian/projections';
import { createTestDatabase } from '@yilian/testing';
import { runCli } from './testing/cli-harness';

/** Day n of 2026: one row of rm_outpatient_volume per day. */
const volume = (n: number, visits = 100 + n) => ({
  id: randomUUID(),
  type: OUTPATIENT_VOLUME_REPORTED,
  schemaVersion: 1,
  data: {
    institution: 'H001',
    day: new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10),
    visits,
    reportedAt: new Date().toISOString(),
  },
  metadata: {
    source: { institution: 'H001', messageId: `volume-${n}`, protocol: 'hub' as const },
    correlationId: randomUUID(),
    occurredAt: '2026-11-20T16:00:00.000Z',
  },
});

async function sql<T extends object>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

interface Fixture {
  store: PostgresEventStore;
  storeUrl: string;
  live: string;
  pool: Pool;
  projector: InProcessProjector;
}

/** A store of `days` volume reports (one stream a day), and the live read models fed by the
 * embedded hub's projector (its checkpoint in rm_checkpoints), caught up. */
async function fixture(label: string, days: number): Promise<Fixture> {
  const storeUrl = await createTestDatabase(`${label}_store`);
  const live = await createTestDatabase(`${label}_live`);
  const store = new PostgresEventStore({ connectionString: storeUrl, poolSize: 2 });
  await store.migrate();
  for (let n = 0; n < days; n++) await store.append(`volume-day-${n}`, [volume(n)], 'no_stream');
  const pool = new Pool({ connectionString: live, max: 2 });
  const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  await runner.migrate();
  const projector = new InProcessProjector(store, runner, 'in-process-projector', { idleWaitMs: 10 });
  await projector.start();
  await volumeRows(live, days);
  return { store, storeUrl, live, pool, projector };
}

/** Waits until the live read models hold `n` days (up to 30 s). Not the projector's "caught up":
 * an empty page only says no committed event is readable yet — a transaction still open elsewhere
 * on the server (other test files share it) holds readAll back. */
async function volumeRows(live: string, n: number): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const [row] = await sql<{ n: number }>(live, 'SELECT count(*)::int AS n FROM rm_outpatient_volume');
    if (row?.n === n) return;
    if (Date.now() > until) throw new Error(`the projector applied ${row?.n ?? 0} of ${n} days in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function close(f: Fixture): Promise<void> {
  await f.projector.stop();
  await f.pool.end();
  await f.store.close();
}

/** `yilian rebuild` on the fixture's store and live read models. */
const rebuild = (f: Fixture, ...more: string[]) =>
  runCli(['rebuild', '--store', f.storeUrl, '--read-models', f.live, ...more]);

/** `rebuild --swap --json`, which must succeed: its report. */
async function swap(f: Fixture): Promise<Report> {
  const run = await rebuild(f, '--swap', '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

interface Report {
  identical: boolean;
  tables: { table: string; rows: number; liveRows: number | null; same: boolean }[];
  swapped?: { position: string; tables: string[]; consumers: string[]; caughtUp: number };
}

describe('yilian rebuild --swap', () => {
  it('reports a damaged live row (exit 1), swaps the rebuilt tables in (exit 0), then finds nothing different', async () => {
    const f = await fixture('cli_swap', 5);
    try {
      await f.projector.stop();
      await sql(f.live, `UPDATE rm_outpatient_volume SET visits = 999 WHERE day = '2026-01-03'`);

      const damaged = await rebuild(f);
      expect(damaged.stderr).toBe('');
      expect(damaged.code).toBe(1);
      expect(damaged.stdout).toContain(
        'DIFFERENT rm_outpatient_volume: 5 rows rebuilt, 5 live (same count, different content)',
      );
      expect(damaged.stdout).toContain('same      rm_stream_positions: 5 rows rebuilt, 5 live');
      expect(damaged.stdout).toContain('the live read models differ from the log');
      // the comparison alone leaves the live tables as they were, and no scratch schema
      expect(await sql(f.live, `SELECT visits FROM rm_outpatient_volume WHERE day = '2026-01-03'`)).toEqual([
        { visits: 999 },
      ]);

      const report = await swap(f);
      expect(report.identical).toBe(false);
      expect(report.tables.filter((t) => !t.same).map((t) => t.table)).toEqual(['rm_outpatient_volume']);
      const last = (await f.store.readAll({ maxCount: 100 })).at(-1)!.position;
      expect(report.swapped).toMatchObject({
        position: `${last.commit}/${last.prepare}`,
        // the projector's two lanes (ProjectionRunner): each with its own checkpoint
        consumers: ['in-process-projector', 'in-process-projector#lane1'],
        caughtUp: 0,
      });
      expect(report.swapped!.tables).toEqual(
        expect.arrayContaining(['rm_outpatient_volume', 'rm_stream_positions', 'rm_checkpoints']),
      );

      expect(await sql(f.live, `SELECT visits FROM rm_outpatient_volume ORDER BY day`)).toEqual(
        [100, 101, 102, 103, 104].map((visits) => ({ visits })),
      );
      expect(await sql(f.live, 'SELECT consumer, position FROM rm_checkpoints ORDER BY consumer')).toEqual([
        { consumer: 'in-process-projector', position: `${last.commit}/${last.prepare}` },
        { consumer: 'in-process-projector#lane1', position: `${last.commit}/${last.prepare}` },
      ]);
      expect(await sql(f.live, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`)).toEqual(
        [],
      );

      const again = await rebuild(f);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('every table is the same');

      // the projector goes on from the swapped-in checkpoint: new events, nothing applied twice
      const runner = new ProjectionRunner(f.pool, ALL_PROJECTIONS);
      const projector = new InProcessProjector(f.store, runner, 'in-process-projector', { idleWaitMs: 10 });
      await f.store.append('volume-day-5', [volume(5)], 'no_stream');
      await projector.start();
      await volumeRows(f.live, 6);
      await projector.stop();
      expect(projector.applied).toBe(1);
      expect(await sql(f.live, 'SELECT count(*)::int AS n FROM rm_outpatient_volume')).toEqual([{ n: 6 }]);
    } finally {
      await close(f);
    }
  }, 120_000);

  it('waits for a projector transaction in flight, and gives up after --lock-timeout with nothing swapped (exit 2)', async () => {
    const f = await fixture('cli_swap_lock', 3);
    try {
      await f.projector.stop();
      await sql(f.live, `UPDATE rm_outpatient_volume SET visits = 999`);
      // a projector's transaction holds rm_stream_positions, as applyBatch's first statement does
      const holder = new Client({ connectionString: f.live });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM rm_stream_positions FOR UPDATE');
      try {
        const blocked = await rebuild(f, '--swap', '--lock-timeout', '1');
        expect(blocked.code).toBe(2);
        expect(blocked.stderr).toContain(
          'could not lock the live read models within 1000 ms (a long transaction on them?); nothing swapped',
        );
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      expect(await sql(f.live, `SELECT DISTINCT visits FROM rm_outpatient_volume`)).toEqual([
        { visits: 999 },
      ]);
      expect(await sql(f.live, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`)).toEqual(
        [],
      );
    } finally {
      await close(f);
    }
  }, 120_000);

  it('swaps while the live projector applies and events keep coming: afterwards live = log, nothing lost or doubled', async () => {
    const f = await fixture('cli_swap_live', 200);
    let writing = true;
    let written = 200;
    const writer = (async () => {
      while (writing) {
        await f.store.append(`volume-day-${written}`, [volume(written)], 'no_stream');
        written++;
        await sleep(5);
      }
    })();
    try {
      await sql(f.live, `UPDATE rm_outpatient_volume SET visits = 999 WHERE day = '2026-01-02'`);
      const report = await swap(f);
      expect(report.swapped!.consumers).toEqual(['in-process-projector', 'in-process-projector#lane1']);
      // events came in after the comparison: the swap caught the rebuilt tables up to them
      expect(report.swapped!.caughtUp).toBeGreaterThan(0);
      writing = false;
      await writer;
      expect(written).toBeGreaterThan(200);
      // the live projector is still following (a failure would have ended its loop)
      let settled = false;
      void f.projector.done?.then(() => (settled = true));
      for (let i = 0; i < 500; i++) {
        const [row] = await sql<{ n: number }>(f.live, 'SELECT count(*)::int AS n FROM rm_outpatient_volume');
        if (row?.n === written) break;
        await sleep(20);
      }
      expect(settled).toBe(false);
      expect(
        await sql(f.live, 'SELECT count(*)::int AS n, sum(visits)::int AS s FROM rm_outpatient_volume'),
      ).toEqual([
        { n: written, s: Array.from({ length: written }, (_, n) => 100 + n).reduce((a, b) => a + b, 0) },
      ]);
      await f.projector.stop();
      const again = await rebuild(f);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('every table is the same');
    } finally {
      writing = false;
      await writer;
      await close(f);
    }
  }, 180_000);
});
