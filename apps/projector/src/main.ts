import { Pool } from 'pg';
import { requireInt, requireString } from '@yilian/config';
import { readKafkaConfig } from '@yilian/messaging';
import { createLogger, startMetricsServer } from '@yilian/runtime';
import { KafkaProjector, projectorMetrics } from './kafka-projector';

/** projector: Kafka → read models. Run as many as there are partitions. */
async function main(): Promise<void> {
  const logger = createLogger('projector');
  const env = process.env;
  const pool = new Pool({ connectionString: requireString(env, 'READ_MODEL_DATABASE_URL'), max: 4 });
  pool.on('error', (e) => logger.warn({ err: e.message }, 'idle database connection error'));
  const projector = new KafkaProjector({
    kafka: readKafkaConfig(env),
    readModelPool: pool,
    groupId: requireString(env, 'PROJECTOR_GROUP_ID', 'yilian-projector'),
    logger,
  });
  await projector.start();
  const metrics = await startMetricsServer(
    projectorMetrics(projector, { processMetrics: true }),
    requireInt(env, 'PROJECTOR_METRICS_PORT', 9464, [0, 65535]),
    requireString(env, 'PROJECTOR_METRICS_HOST', '0.0.0.0'),
  );
  logger.info('projector started');
  const shutdown = async () => {
    await projector.stop();
    await metrics.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`projector failed to start: ${(e as Error).message}`);
  process.exit(1);
});
