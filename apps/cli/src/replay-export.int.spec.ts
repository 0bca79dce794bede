import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { OUTPATIENT_VOLUME_REPORTED } from '@yilian/contracts';
import { PostgresEventStore, storedContentHash } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import { runCli } from './testing/cli-harness';

const volume = (visits: number) => ({
  id: randomUUID(),
  type: OUTPATIENT_VOLUME_REPORTED,
  schemaVersion: 1,
  data: { institution: 'H001', day: '2026-11-20', visits, reportedAt: new Date().toISOString() },
  metadata: {
    source: { institution: 'H001', messageId: `volume-${visits}`, protocol: 'hub' as const },
    correlationId: randomUUID(),
    occurredAt: '2026-11-20T16:00:00.000Z',
  },
});

async function visits(url: string, schema = 'public'): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ visits: number }>(
      `SELECT visits FROM ${schema}.rm_outpatient_volume`,
    );
    return rows.map((r) => r.visits);
  } finally {
    await client.end();
  }
}

/** A report of 100 visits, the instant after it, then its correction to 120. */
let store: string;
let between: string;
let positions: string[];
beforeAll(async () => {
  store = await createTestDatabase('cli_replay_store');
  const s = new PostgresEventStore({ connectionString: store, poolSize: 1 });
  await s.migrate();
  try {
    const first = await s.append('institution-H001', [volume(100)], 'no_stream');
    await sleep(50);
    between = new Date().toISOString();
    await sleep(50);
    const second = await s.append('institution-H001', [volume(120)], 0n);
    positions = [first, second].map(
      (r) => `${r.events[0]!.position.commit}/${r.events[0]!.position.prepare}`,
    );
  } finally {
    await s.close();
  }
});

describe('yilian replay', () => {
  it('builds the read models as the hub knew them at an instant, into a fresh schema', async () => {
    const into = await createTestDatabase('cli_replay_into');
    const then = await runCli([
      'replay',
      '--store',
      store,
      '--to',
      between,
      '--into',
      into,
      '--schema',
      'as_of',
    ]);
    expect(then.stderr).toBe('');
    expect(then.code).toBe(0);
    expect(then.stdout).toContain(`replayed 1 events recorded up to ${between} into schema as_of`);
    expect(await visits(into, 'as_of')).toEqual([100]);

    const now = await runCli(['replay', '--store', store, '--to', new Date().toISOString(), '--into', into]);
    expect(now.code).toBe(0);
    expect(await visits(into)).toEqual([120]);

    const again = await runCli([
      'replay',
      '--store',
      store,
      '--to',
      between,
      '--into',
      into,
      '--schema',
      'as_of',
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /schema as_of of --into already holds \d+ table\(s\): replay needs a fresh one/,
    );
    const local = await runCli(['replay', '--store', store, '--to', '2026-11-20 08:00', '--into', into]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--to must be an ISO 8601 instant with its offset/);
  });
});

describe('yilian rebuild', () => {
  it('finds the live read models the same as a rebuild from the log, then a changed row', async () => {
    const live = await createTestDatabase('cli_rebuild_live');
    expect(
      (await runCli(['replay', '--store', store, '--to', new Date().toISOString(), '--into', live])).code,
    ).toBe(0);
    const same = await runCli(['rebuild', '--store', store, '--read-models', live]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('same      rm_outpatient_volume: 1 rows rebuilt, 1 live');
    expect(same.stdout).toContain('every table is the same');

    const client = new Client({ connectionString: live });
    await client.connect();
    await client.query('UPDATE rm_outpatient_volume SET visits = 999');
    await client.end();
    const changed = await runCli(['rebuild', '--store', store, '--read-models', live, '--json']);
    expect(changed.code).toBe(1);
    const report = JSON.parse(changed.stdout) as {
      identical: boolean;
      tables: { table: string; same: boolean }[];
    };
    expect(report.identical).toBe(false);
    expect(report.tables.filter((t) => !t.same).map((t) => t.table)).toEqual(['rm_outpatient_volume']);
  });
});

describe('yilian export', () => {
  it('writes the log as NDJSON, the stored texts as they are (the hashes recompute), from a position, up to an instant', async () => {
    const all = await runCli(['export', '--store', store]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e.position, e.revision, (e.data as { visits: number }).visits])).toEqual([
      [positions[0], 0, 100],
      [positions[1], 1, 120],
    ]);
    // the content hash recomputed from the exported data and metadata, as stored
    const e = events[1]!;
    const raw = /"data":(.*),"metadata":(.*)}$/.exec(lines[1]!)!;
    const content = storedContentHash({
      eventId: e.id as string,
      type: e.type as string,
      schemaVersion: e.schemaVersion as number,
      stream: e.stream as string,
      data: raw[1]!,
      metadata: raw[2]!,
    });
    expect(e.previousHash).toBe(events[0]!.hash);
    const { chainHash } = await import('@yilian/event-store');
    expect(chainHash(e.previousHash as string, content)).toBe(e.hash);

    const from = await runCli(['export', '--store', store, '--from', positions[1]!]);
    expect(
      from.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { position: string }).position),
    ).toEqual([positions[1]]);
    const to = await runCli(['export', '--store', store, '--to', between]);
    expect(
      to.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { position: string }).position),
    ).toEqual([positions[0]]);
  });
});
