import { Kafka, logLevel } from 'kafkajs';
import { ConfigError, requireInt } from '@yilian/config';
import { kafkajsLogCreator, silentLogger, type MessagingLogger } from './logger';

/** Where the hub's Kafka is and how this process names itself and its topics. */
export interface KafkaConfig {
  /** host:port of one or more bootstrap brokers. */
  readonly brokers: string[];
  readonly clientId: string;
  /** Put before every topic name (TOPICS), so several hubs can share a cluster; may be ''. */
  readonly topicPrefix: string;
}

export const KAFKA_ENV = {
  brokers: 'KAFKA_BROKERS',
  clientId: 'KAFKA_CLIENT_ID',
  topicPrefix: 'KAFKA_TOPIC_PREFIX',
  topicPartitions: 'KAFKA_TOPIC_PARTITIONS',
  topicReplication: 'KAFKA_TOPIC_REPLICATION',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the Kafka configuration from the environment: KAFKA_BROKERS (comma-separated
 * host:port list), KAFKA_CLIENT_ID, KAFKA_TOPIC_PREFIX (must be set; the empty string is a
 * valid prefix). Throws a ConfigError naming the variable that is missing or wrong.
 */
export function readKafkaConfig(env: Env = process.env): KafkaConfig {
  const brokersText = env[KAFKA_ENV.brokers]?.trim();
  if (!brokersText) throw new ConfigError(`${KAFKA_ENV.brokers} is required but not set`);
  const brokers = brokersText
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const bad = brokers.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (bad !== undefined || brokers.length === 0) {
    throw new ConfigError(
      `${KAFKA_ENV.brokers} must be a comma-separated list of host:port, got ${JSON.stringify(brokersText)}`,
    );
  }
  const clientId = env[KAFKA_ENV.clientId]?.trim();
  if (!clientId) throw new ConfigError(`${KAFKA_ENV.clientId} is required but not set`);
  const topicPrefix = env[KAFKA_ENV.topicPrefix];
  if (topicPrefix === undefined) {
    throw new ConfigError(`${KAFKA_ENV.topicPrefix} is required but not set (it may be empty)`);
  }
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    throw new ConfigError(`${KAFKA_ENV.topicPrefix} may hold only letters, digits, '.', '_' and '-'`);
  }
  return { brokers, clientId, topicPrefix };
}

/** How the relay and the projectors create the hub's topics when missing (ensureTopics):
 * KAFKA_TOPIC_PARTITIONS (default 6: the most projectors that share the work) and
 * KAFKA_TOPIC_REPLICATION (default -1, the broker's default.replication.factor; 3 on a
 * three-broker cluster). */
export function readTopicSettings(env: Env = process.env): { partitions: number; replication: number } {
  return {
    partitions: requireInt(env, KAFKA_ENV.topicPartitions, 6, [1, 10_000]),
    replication: requireInt(env, KAFKA_ENV.topicReplication, -1, [-1, 32]),
  };
}

/** A kafkajs client for the configuration, its logs routed to `logger`. */
export function createKafka(config: KafkaConfig, logger: MessagingLogger = silentLogger): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkajsLogCreator(logger),
    // kafkajs backs off up to 30 s between retries by default: a broker back after a restart
    // was then used only up to 30 s later (npm run test:faults). At most 5 s, more attempts.
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 10 },
  });
}
