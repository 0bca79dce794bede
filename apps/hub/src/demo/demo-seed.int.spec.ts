/* npm start's demo seed on a real hub (PostgreSQL, the in-process projector): the sample
 * recognition rules go in through the intake's operator routes with the demo, so the lead
 * hospital at once sees which of the demo patient's results it may recognise; a restart loads
 * them again and records nothing. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { PatientKeyer } from '@yilian/patients';
import { RecognitionEligibility } from '@yilian/recognition';
import { createLogger } from '@yilian/runtime';
import { createTestDatabase } from '@yilian/testing';
import { Pool } from 'pg';
import { demoCredentials, demoInstitutions, loadOrCreateSecrets } from '../embedded';
import { startHub, type RunningHub } from '../hub';
import { seedDemoOnce } from './demo-seed';

jest.setTimeout(120_000);

describe('the demo seed with the sample recognition rules', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yilian-demo-seed-'));
  chmodSync(dataDir, 0o755);
  let hub: RunningHub;
  let pool: Pool;
  const { secrets } = loadOrCreateSecrets(dataDir, 2575);

  beforeAll(async () => {
    const url = await createTestDatabase('demo_seed_recognition');
    process.env['YILIAN_ALLIANCE_OPERATORS'] =
      `${secrets.allianceOperator!.name}:${hashApiKey(secrets.allianceOperator!.apiKey)}`;
    hub = await startHub({
      databaseUrl: url,
      institutions: new InstitutionDirectory(demoCredentials(secrets)),
      patientKeyer: new PatientKeyer(secrets.patientKeySecret),
      platformClients: `${secrets.platformClient.name}:${hashApiKey(secrets.platformClient.apiKey)}`,
      httpPort: 0,
      host: '127.0.0.1',
      logger: createLogger('demo-seed-test', 'silent'),
      mllp: { ephemeralPorts: true },
    });
    pool = new Pool({ connectionString: url, max: 2 });
  });

  afterAll(async () => {
    await hub?.stop();
    await pool?.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const seed = (firstStart: boolean) =>
    seedDemoOnce({
      dataDir,
      httpUrl: hub.httpUrl,
      operatorKey: secrets.allianceOperator!.apiKey,
      institutions: demoInstitutions(secrets),
      now: new Date(),
      firstStart,
    });

  it('lets the lead hospital see at once what it may recognise; a restart records nothing', async () => {
    expect(await seed(true)).toEqual(expect.objectContaining({ allianceId: 'demo-alliance' }));
    // counted in the table: readAll stops below the oldest transaction open on the server (other
    // test files share it), so its length can be short of what is committed
    const stored = async () =>
      Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM yl_events')).rows[0]!.n);
    const events = await stored();

    let patientKey: string | undefined;
    for (let i = 0; i < 200 && !patientKey; i++) {
      const { rows } = await pool.query<{ patient_key: string; n: string }>(
        'SELECT patient_key, count(*)::text AS n FROM rm_recognition_results GROUP BY patient_key',
      );
      if (rows[0] && Number(rows[0].n) >= 3) patientKey = rows[0].patient_key;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(patientKey).toBeDefined();
    for (
      let i = 0;
      i < 200 &&
      hub.projector.lastRecordedAt !== (await hub.store.readAll({ maxCount: 10_000 })).at(-1)?.recordedAt;
      i++
    )
      await new Promise((r) => setTimeout(r, 50));

    const answer = await new RecognitionEligibility(pool).eligibility({
      patientKey: patientKey!,
      requester: 'DEMOH1',
      asOf: new Date(),
    });
    const byPerformer = Object.fromEntries(
      answer.results.map((r) => [
        r.performer,
        Object.fromEntries(
          r.items.map((i) => [
            i.item.catalogueItemCode,
            i.status === 'recognisable' ? i.scope!.code : i.reasons.join(','),
          ]),
        ),
      ]),
    );
    expect(byPerformer).toEqual({
      DEMOH1: {
        K: 'own-result',
        NA: 'own-result',
        CL: 'own-result',
        GLU: 'own-result',
        TP: 'own-result',
        ALB: 'own-result',
        HBA1C: 'own-result',
      },
      DEMO01: {
        K: 'window-passed,direction-not-allowed',
        NA: 'window-passed,direction-not-allowed',
        CL: 'window-passed,direction-not-allowed',
        GLU: 'alliance:demo-alliance',
      },
      DEMOS1: { 'CT-CHEST': 'alliance:demo-alliance' },
    });

    await seed(false);
    expect(await stored()).toBe(events);
  });
});
