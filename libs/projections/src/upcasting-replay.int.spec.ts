/* A replay of an old log (OutpatientVolumeReported v1) through today's runner gives the same
 * read models as the same facts recorded at v2. Real PostgreSQL. */
import type { RecordedEvent } from '@yilian/contracts';
import { createTestDatabase } from '@yilian/testing';
import { Pool } from 'pg';
import { ALL_PROJECTIONS } from './registry';
import { ProjectionRunner } from './projection-runner';

const facts = [
  ['C001', '2026-11-21', 800, 780],
  ['C001', '2026-11-22', 812, 790],
  ['C001', '2026-11-22', 815, 793], // a correction of the same day
  ['H001', '2026-11-22', 4100, 3900],
] as const;
const event = (i: number, version: 1 | 2): RecordedEvent => {
  const [institution, day, total, outpatient] = facts[i]!;
  const data = version === 1 ? total : { total, outpatient, emergency: total - outpatient };
  return {
    id: `e${i}`,
    type: 'OutpatientVolumeReported',
    schemaVersion: version,
    data: { institution, day, visits: data, reportedAt: `2026-11-23T0${i}:00:00.000Z` },
    metadata: {
      source: { institution, messageId: `m${i}`, protocol: 'fhir' },
      correlationId: 'c',
      occurredAt: '2026-11-23T00:00:00.000Z',
    },
    stream: `institution-${institution}`,
    streamPosition: BigInt(facts.slice(0, i).filter((f) => f[0] === institution).length),
    position: { commit: BigInt(100 + i), prepare: BigInt(i) },
    recordedAt: `2026-11-23T0${i}:00:00.000Z`,
    hash: 'h',
    previousHash: null,
  };
};
const rows = async (pool: Pool) =>
  (
    await pool.query(
      `SELECT institution, to_char(day, 'YYYY-MM-DD') AS day, visits, reported_at FROM rm_outpatient_volume ORDER BY 1, 2`,
    )
  ).rows;

describe('replaying a v1 log through the upcasting runner', () => {
  const pools: Pool[] = [];
  afterAll(() => Promise.all(pools.map((p) => p.end())));
  const runnerOn = async (label: string) => {
    const pool = new Pool({ connectionString: await createTestDatabase(label), max: 2 });
    pools.push(pool);
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    return { pool, runner };
  };

  it('gives the same read model as the v2 log, in a batch and one by one', async () => {
    const old = await runnerOn('upcast_replay_v1');
    await old.runner.applyBatch(facts.map((_, i) => event(i, 1)));
    const oneByOne = await runnerOn('upcast_replay_v1_single');
    for (let i = 0; i < facts.length; i++) await oneByOne.runner.apply(event(i, 1));
    const current = await runnerOn('upcast_replay_v2');
    await current.runner.applyBatch(facts.map((_, i) => event(i, 2)));
    const expected = await rows(current.pool);
    expect(expected.map((r) => [r.institution, r.day, r.visits])).toEqual([
      ['C001', '2026-11-21', 800],
      ['C001', '2026-11-22', 815],
      ['H001', '2026-11-22', 4100],
    ]);
    expect(await rows(old.pool)).toEqual(expected);
    expect(await rows(oneByOne.pool)).toEqual(expected);
  });
});
