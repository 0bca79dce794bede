import 'reflect-metadata';
import { InstitutionDirectory, requireInt, requireSecret, requireString } from '@yilian/config';
import { Pool } from 'pg';
import { createEventStore } from '@yilian/event-store';
import { ReferralExpiryScheduler } from '@yilian/referrals';
import { PatientKeyer } from '@yilian/patients';
import { RecognitionEligibility } from '@yilian/recognition';
import { createLogger, startMetricsServer } from '@yilian/runtime';
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { IntakeMetrics } from './metrics/intake-metrics';
import { startIntake } from './start-intake';
import { runWorkers, workerIndex, workerReady } from './workers';

/** intake: FHIR R4 over HTTP and HL7 v2 over MLLP, appending to the event store. */
async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger('intake');
  const store = await createEventStore(requireString(env, 'EVENT_STORE_URL'), {
    poolSize: requireInt(env, 'INTAKE_POOL_SIZE', 16, [1, 200]),
  });
  const host = requireString(env, 'INTAKE_HOST', '0.0.0.0');
  const port = requireInt(env, 'INTAKE_HTTP_PORT', 8080, [0, 65535]);
  const metrics = new IntakeMetrics({ processMetrics: true });
  if (cluster.isWorker) {
    // the primary serves the metrics port and asks each worker for its registry
    AggregatorRegistry.setRegistries(metrics.registry);
    new AggregatorRegistry();
  } else {
    const metricsPort = requireInt(env, 'INTAKE_METRICS_PORT', 9464, [0, 65535]);
    await startMetricsServer(metrics.registry, metricsPort, host);
  }
  const readModels = env.READ_MODEL_DATABASE_URL
    ? new Pool({ connectionString: env.READ_MODEL_DATABASE_URL, max: 4 })
    : undefined;
  await startIntake({
    store,
    institutions: InstitutionDirectory.fromFile(requireString(env, 'INTAKE_INSTITUTIONS_FILE')),
    patientKeyer: new PatientKeyer(requireSecret(env, 'PATIENT_KEY_SECRET')),
    mllp: {
      host,
      maxFrameBytes: requireInt(env, 'INTAKE_MLLP_MAX_FRAME_BYTES', 1024 * 1024, [1024, 64 * 1024 * 1024]),
      idleTimeoutMs: requireInt(env, 'INTAKE_MLLP_IDLE_TIMEOUT_MS', 30_000, [100, 3_600_000]),
    },
    logger,
    metrics,
    // decisions and the order intake's duplicate-test flags read recognition's read models;
    // decisions also the deciding institution's part in the patient's care
    ...(readModels ? { recognition: new RecognitionEligibility(readModels), readModels } : {}),
    httpPort: port,
    host,
  });
  logger.info({ port, worker: workerIndex() }, 'intake listening');
  workerReady();
  // Referral expiry needs no sender: one intake instance (INTAKE_RUN_EXPIRY=true) runs the
  // scheduler, which reads due referrals from the board and appends ReferralExpired — in its
  // first worker only.
  if (env.INTAKE_RUN_EXPIRY === 'true' && workerIndex() === 0) {
    const readPool = new Pool({ connectionString: requireString(env, 'READ_MODEL_DATABASE_URL'), max: 2 });
    new ReferralExpiryScheduler(store, readPool, {
      onError: (referralId, e) =>
        logger.warn({ referralId, err: (e as Error).message }, 'referral expiry failed'),
    }).start();
  }
}

// INTAKE_WORKERS > 1: that many intake processes share the listeners (see workers.ts).
const workers = requireInt(process.env, 'INTAKE_WORKERS', 1, [1, 64]);
if (workers > 1 && cluster.isPrimary) {
  // the workers' metrics, summed: one scrape target however many workers; the port is taken
  // before any worker is forked, so a port in use stops the start with nothing running
  const logger = createLogger('intake');
  const aggregator = new AggregatorRegistry();
  startMetricsServer(
    { contentType: aggregator.contentType, metrics: () => aggregator.clusterMetrics() },
    requireInt(process.env, 'INTAKE_METRICS_PORT', 9464, [0, 65535]),
    requireString(process.env, 'INTAKE_HOST', '0.0.0.0'),
  ).then(
    () => runWorkers({ count: workers, log: (level, fields, message) => logger[level](fields, message) }),
    (e: unknown) => {
      console.error(`intake failed to start: metrics port: ${(e as Error).message}`);
      process.exit(1);
    },
  );
} else {
  main().catch((e: unknown) => {
    console.error(`intake failed to start: ${(e as Error).message}`);
    process.exit(1);
  });
}
