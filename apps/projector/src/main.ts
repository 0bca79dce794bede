import { Pool } from 'pg';
import { hostname } from 'node:os';
import { optionalString, requireInt, requireString } from '@yilian/config';
import { readKafkaConfig, readTopicSettings } from '@yilian/messaging';
import { createLogger, startMetricsServer } from '@yilian/runtime';
import { KafkaProjector, projectorMetrics } from './kafka-projector';

/** projector: Kafka → read models. Run as many as there are partitions. */
async function main(): Promise<void> {
  const logger = createLogger('projector');
  const env = process.env;
  const pool = new Pool({ connectionString: requireString(env, 'READ_MODEL_DATABASE_URL'), max: 4 });
  pool.on('error', (e) => logger.warn({ err: e.message }, 'idle database connection error'));
  // PROJECTOR_INSTANCE_ID: this member's name, the same across its restarts and unique in the
  // group ('@hostname': the host's, which a restarted container keeps); its earlier
  // incarnation, if dead, is removed from the group at start (no wait for its session).
  const instance = optionalString(env, 'PROJECTOR_INSTANCE_ID');
  const kafka = readKafkaConfig(env);
  const instanceId = instance === '@hostname' ? hostname() : instance;
  const projector = new KafkaProjector({
    kafka: instanceId ? { ...kafka, clientId: `${kafka.clientId}-${instanceId}` } : kafka,
    readModelPool: pool,
    groupId: requireString(env, 'PROJECTOR_GROUP_ID', 'yilian-projector'),
    logger,
    ensureTopics: readTopicSettings(env),
    // A member that dies holds its partitions until its session expires: a restarted
    // projector (and the whole group) waits that long (docs/cluster.md, "Projector restart").
    consumer: {
      sessionTimeoutMs: requireInt(env, 'PROJECTOR_SESSION_TIMEOUT_MS', 10_000, [1_000, 300_000]),
      heartbeatIntervalMs: requireInt(env, 'PROJECTOR_HEARTBEAT_INTERVAL_MS', 1_000, [100, 60_000]),
      stableClientId: instanceId !== undefined,
    },
    maxWaitTimeMs: requireInt(env, 'PROJECTOR_MAX_WAIT_MS', 1_000, [10, 30_000]),
  });
  // /health answers from the start ("starting" until the group gave this member partitions).
  const metrics = await startMetricsServer(
    projectorMetrics(projector, { processMetrics: true }),
    requireInt(env, 'PROJECTOR_METRICS_PORT', 9464, [0, 65535]),
    requireString(env, 'PROJECTOR_METRICS_HOST', '0.0.0.0'),
    () => projector.health(),
  );
  const shutdown = async () => {
    await projector.stop();
    await metrics.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  await projector.start();
  logger.info({ health: projector.health() }, 'projector started');
}

main().catch((e: unknown) => {
  console.error(`projector failed to start: ${(e as Error).message}`);
  process.exit(1);
});
