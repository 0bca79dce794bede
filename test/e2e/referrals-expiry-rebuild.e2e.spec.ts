import { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, InProcessProjector, ProjectionRunner } from '@yilian/projections';
import { SAMPLE_RESIDENT_ID } from '@yilian/testing';
import {
  call,
  eventually,
  KEYS,
  patientWithResidentId,
  platformClient,
  referralBundle,
  type ReferralsHub,
  serviceRequest,
  setUpAlliance,
  startReferralsHub,
} from './referrals-harness';

// Expiry happens with nobody sending anything: the hub's scheduler, on its clock. It is an
// event like any other, so the read models rebuilt from the log are the same tables.
const MINE = ['referral-board', 'referral-fhir', 'alliance-members', 'outpatient-volume'];
const TABLES: Readonly<Record<string, string>> = {
  rm_referral_board: 'referral_id',
  rm_referral_fhir: 'referral_id',
  rm_referral_fhir_versions: 'resource_type, id, version',
  rm_alliances: 'alliance_id',
  rm_alliance_members: 'alliance_id, institution',
  rm_outpatient_volume: 'institution, day',
};

async function dump(pool: Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES))
    out[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
  return out;
}

describe('referral expiry by the hub, and the read models rebuilt from the log', () => {
  let hub: ReferralsHub;
  let running = false;
  beforeAll(async () => {
    hub = await startReferralsHub('referrals_expiry');
    running = true;
    await setUpAlliance(hub, 2);
  });
  afterAll(async () => {
    if (running) await hub.stop();
  });

  const request = async (number: string) => {
    const sr = serviceRequest({
      number,
      sender: 'C002',
      receiver: 'H001',
      subject: { reference: 'Patient/placeholder' },
    });
    expect(
      (
        await call(
          hub,
          'POST',
          '/fhir',
          KEYS.C002,
          referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
        )
      ).status,
    ).toBe(201);
    return `C002.${number}`;
  };
  const types = async (id: string) => (await hub.store.readStream(`referral-${id}`)).map((e) => e.type);

  it('expires an unanswered referral once the alliance response time has passed, and only then', async () => {
    const unanswered = await request('EXP-1');
    const answered = await request('EXP-2');
    await call(hub, 'POST', `/referrals/${answered}/accept`, KEYS.H001, {});
    await new Promise((r) => setTimeout(r, 500));
    expect(await types(unanswered)).toEqual(['ReferralRequested']);

    hub.advanceClock(2.5);
    const events = await eventually(
      () => hub.store.readStream(`referral-${unanswered}`),
      (e) => e.length === 2,
    );
    expect(events[1]).toMatchObject({
      type: 'ReferralExpired',
      data: { referralId: unanswered, deadline: (events[0]!.data as { deadline: string }).deadline },
      metadata: { source: { institution: 'hub', protocol: 'hub' } },
    });
    expect(await types(answered)).toEqual(['ReferralRequested', 'ReferralAccepted']);

    const late = await call<fhir4.OperationOutcome>(hub, 'PUT', `/fhir/Task/${unanswered}`, KEYS.H001, {
      resourceType: 'Task',
      status: 'accepted',
      intent: 'order',
    });
    expect(late.status).toBe(409);
    expect(late.body.issue[0]!.diagnostics).toMatch(/is expired/);
    const task = await eventually(
      async () => (await platformClient(hub).read({ resourceType: 'Task', id: unanswered })) as fhir4.Task,
      (t) => t.status === 'failed',
    );
    expect(task).toMatchObject({ status: 'failed', businessStatus: { coding: [{ code: 'expired' }] } });
  });

  it('rebuilds the referral and alliance read models from position 0 into the same rows', async () => {
    await call(hub, 'PUT', '/outpatient-volume/2026-03-02', KEYS.H001, { visits: 5200 });
    // the log's end as readers see it: a transaction in flight on the server (the projector's)
    // holds the visible bound back for a moment, so the append just acknowledged may not be there yet
    const last = await eventually(
      async () => (await hub.store.readAll({ maxCount: 10_000 })).at(-1)!,
      (e) => e.type === 'OutpatientVolumeReported',
    );
    const live = new Pool({ connectionString: hub.databaseUrl, max: 2 });
    try {
      await eventually(
        async () =>
          (await live.query(`SELECT count(*)::int AS n FROM rm_outpatient_volume`)).rows[0].n as number,
        (n) => n === 1,
      );
      expect(last.type).toBe('OutpatientVolumeReported');
      const before = await dump(live);
      expect(before['rm_referral_board']).toHaveLength(2);
      expect(before['rm_referral_fhir_versions']!.length).toBeGreaterThanOrEqual(6);
      await hub.stop();
      running = false;

      await live.query(`TRUNCATE ${Object.keys(TABLES).join(', ')}`);
      await live.query('DELETE FROM rm_stream_positions WHERE projection = ANY($1)', [MINE]);
      expect((await dump(live))['rm_referral_board']).toEqual([]);
      const store = new PostgresEventStore({ connectionString: hub.databaseUrl, poolSize: 2 });
      const runner = new ProjectionRunner(
        live,
        ALL_PROJECTIONS.filter((p) => MINE.includes(p.name)),
      );
      await runner.migrate();
      const projector = new InProcessProjector(store, runner, 'referrals-rebuild-check');
      await new Promise<void>((resolve) => void projector.start(resolve));
      await projector.stop();
      await store.close();
      expect(await dump(live)).toEqual(before);
    } finally {
      await live.end();
    }
  });
});
