import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { InstitutionDirectory, requireInt, requireSecret, requireString } from '@yilian/config';
import { Pool } from 'pg';
import { createEventStore } from '@yilian/event-store';
import { ReferralExpiryScheduler } from '@yilian/referrals';
import { PatientKeyer } from '@yilian/patients';
import { configureHttp, createLogger } from '@yilian/runtime';
import { IntakeModule } from './intake.module';

/** intake: FHIR R4 over HTTP and HL7 v2 over MLLP, appending to the event store. */
async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger('intake');
  const store = await createEventStore(requireString(env, 'EVENT_STORE_URL'), {
    poolSize: requireInt(env, 'INTAKE_POOL_SIZE', 16, [1, 200]),
  });
  const app = await NestFactory.create<NestExpressApplication>(
    IntakeModule.register({
      store,
      institutions: InstitutionDirectory.fromFile(requireString(env, 'INTAKE_INSTITUTIONS_FILE')),
      patientKeyer: new PatientKeyer(requireSecret(env, 'PATIENT_KEY_SECRET')),
      mllp: {
        host: requireString(env, 'INTAKE_HOST', '0.0.0.0'),
        maxFrameBytes: requireInt(env, 'INTAKE_MLLP_MAX_FRAME_BYTES', 1024 * 1024, [1024, 64 * 1024 * 1024]),
        idleTimeoutMs: requireInt(env, 'INTAKE_MLLP_IDLE_TIMEOUT_MS', 30_000, [100, 3_600_000]),
      },
      logger,
    }),
    { logger: false, bodyParser: false, abortOnError: false },
  );
  configureHttp(app);
  const port = requireInt(env, 'INTAKE_HTTP_PORT', 8080, [0, 65535]);
  await app.listen(port, requireString(env, 'INTAKE_HOST', '0.0.0.0'));
  logger.info({ port }, 'intake listening');
  // Referral expiry needs no sender: one intake instance (INTAKE_RUN_EXPIRY=true) runs the
  // scheduler, which reads due referrals from the board and appends ReferralExpired.
  if (env.INTAKE_RUN_EXPIRY === 'true') {
    const readPool = new Pool({ connectionString: requireString(env, 'READ_MODEL_DATABASE_URL'), max: 2 });
    new ReferralExpiryScheduler(store, readPool, {
      onError: (referralId, e) =>
        logger.warn({ referralId, err: (e as Error).message }, 'referral expiry failed'),
    }).start();
  }
}

main().catch((e: unknown) => {
  console.error(`intake failed to start: ${(e as Error).message}`);
  process.exit(1);
});
