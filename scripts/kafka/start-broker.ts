/* The tests' Kafka broker, by hand: a real single-node Apache Kafka (KRaft) on 127.0.0.1, for
 * running the relay or the projector locally.
 *
 *   node -r @swc-node/register scripts/kafka/start-broker.ts [--topics PREFIX] [--partitions N] [--verbose]
 *
 * Prints the KAFKA_BROKERS value to use, optionally creates the hub's topics (and their
 * dead-letter topics) under PREFIX, and runs until Ctrl-C or SIGTERM, when it stops the broker.
 * Its data lives in .tmp/kafka-dev and starts empty every time. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka, ensureTopics } from '@yilian/messaging';
import { startKafkaBroker } from '../../libs/testing/src/kafka-broker';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      topics: { type: 'string' },
      partitions: { type: 'string', default: '3' },
      verbose: { type: 'boolean', default: false },
    },
  });
  const partitions = Number(values.partitions);
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error('--partitions must be a positive integer');

  const dir = join(__dirname, '..', '..', '.tmp', 'kafka-dev');
  rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  const broker = await startKafkaBroker({
    dir,
    log: values.verbose ? (line) => console.log(line) : undefined,
  });
  console.log(`Kafka ready in ${Date.now() - started} ms\nKAFKA_BROKERS=${broker.brokers.join(',')}`);

  if (values.topics !== undefined) {
    const kafka = createKafka({
      brokers: broker.brokers,
      clientId: 'start-broker',
      topicPrefix: values.topics,
    });
    const created = await ensureTopics(kafka, values.topics, partitions);
    console.log(`created ${created.length} topics: ${created.join(', ')}`);
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('stopping Kafka');
    broker.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
