/* Starts the real services the tests use, once per jest run: an embedded PostgreSQL and a
 * single-node Apache Kafka broker (KRaft) from the jars on Maven Central. Every test file
 * then creates its own database and topic prefix (libs/testing). */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../libs/testing/src/embedded-postgres';
import { TEST_ENV } from '../libs/testing/src/test-env';

type Stop = () => Promise<void>;
declare global {
  var __YILIAN_TEST_STOPS__: Stop[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '.tmp', `test-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  // Stopped in reverse order: the folder goes last, after both servers have stopped.
  const stops: Stop[] = [() => Promise.resolve(rmSync(root, { recursive: true, force: true }))];
  globalThis.__YILIAN_TEST_STOPS__ = stops;

  const started = Date.now();
  const [pg, kafka] = await Promise.all([
    startEmbeddedPostgres({ dir: join(root, 'pg') }),
    process.env.YILIAN_TEST_KAFKA === 'off'
      ? undefined
      : import('../libs/testing/src/kafka-broker').then((k) =>
          k.startKafkaBroker({ dir: join(root, 'kafka') }),
        ),
  ]);
  stops.push(() => pg.stop());
  process.env[TEST_ENV.postgresUrl] = pg.url;
  if (kafka) {
    stops.push(() => kafka.stop());
    process.env[TEST_ENV.kafkaBrokers] = kafka.brokers.join(',');
  }
  console.log(
    `\n[global-setup] PostgreSQL ${pg.url.replace(/:[^:@/]+@/, ':***@')}; Kafka ${
      kafka ? kafka.brokers.join(',') : 'OFF (YILIAN_TEST_KAFKA=off)'
    } in ${Date.now() - started} ms`,
  );
}
