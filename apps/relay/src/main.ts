import 'reflect-metadata';
import { Pool } from 'pg';
import { requireInt, requireString } from '@yilian/config';
import { createEventStore } from '@yilian/event-store';
import {
  createKafka,
  ensureTopics,
  KafkaEventPublisher,
  readKafkaConfig,
  readTopicSettings,
} from '@yilian/messaging';
import { createLogger, startMetricsServer } from '@yilian/runtime';
import { PgCheckpointStore } from './checkpoint-store';
import { Relay, relayMetrics } from './relay';

/** relay: event store → Kafka. One instance per store (it is a single follower). */
async function main(): Promise<void> {
  const logger = createLogger('relay');
  const env = process.env;
  const storeUrl = requireString(env, 'EVENT_STORE_URL');
  const kafka = readKafkaConfig(env);
  const store = await createEventStore(storeUrl, { poolSize: requireInt(env, 'RELAY_POOL_SIZE', 4) });
  // With EventStoreDB as the store, the checkpoint row needs a PostgreSQL (e.g. the read models').
  const pool = new Pool({
    connectionString: requireString(env, 'RELAY_CHECKPOINT_DATABASE_URL', storeUrl),
    max: 2,
  });
  pool.on('error', (e) => logger.warn({ err: e.message }, 'idle database connection error'));
  const checkpoints = new PgCheckpointStore(pool);
  await checkpoints.migrate();
  // A fresh deployment works first time: the topics, with the configured partitions and
  // replication, before the first event is published (existing ones are left as they are).
  const created = await ensureTopics(createKafka(kafka, logger), kafka.topicPrefix, readTopicSettings(env));
  if (created.length > 0) logger.info({ created }, 'topics created');
  const publisher = new KafkaEventPublisher(kafka);
  await publisher.connect();
  const relay = new Relay(
    store,
    publisher,
    checkpoints,
    { name: requireString(env, 'RELAY_NAME', 'relay') },
    logger,
  );
  relay.start();
  const metrics = await startMetricsServer(
    relayMetrics(relay, { processMetrics: true }),
    requireInt(env, 'RELAY_METRICS_PORT', 9464, [0, 65535]),
    requireString(env, 'RELAY_METRICS_HOST', '0.0.0.0'),
  );
  logger.info({ brokers: kafka.brokers, topicPrefix: kafka.topicPrefix }, 'relay started');
  const shutdown = async () => {
    await relay.stop();
    await metrics.close();
    await publisher.disconnect();
    await Promise.all([store.close(), pool.end()]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`relay failed to start: ${(e as Error).message}`);
  process.exit(1);
});
