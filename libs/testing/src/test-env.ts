import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Set by test/global-setup.ts for every test worker. */
export const TEST_ENV = {
  postgresUrl: 'YILIAN_TEST_PG_URL',
  kafkaBrokers: 'YILIAN_TEST_KAFKA_BROKERS',
} as const;

export function testPostgresUrl(): string {
  const url = process.env[TEST_ENV.postgresUrl];
  if (!url)
    throw new Error(`${TEST_ENV.postgresUrl} is not set: run the tests through jest (test/global-setup.ts)`);
  return url;
}

export function testKafkaBrokers(): string[] {
  const brokers = process.env[TEST_ENV.kafkaBrokers];
  if (!brokers)
    throw new Error(`${TEST_ENV.kafkaBrokers} is not set: run the tests through jest (test/global-setup.ts)`);
  return brokers.split(',');
}

function suffix(label: string): string {
  return `${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

/** A fresh, empty database on the shared test PostgreSQL, for one test file. */
export async function createTestDatabase(label: string): Promise<string> {
  const admin = testPostgresUrl();
  const name = `t_${suffix(label)}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A topic prefix unique to one test file, so files can share the broker in parallel. */
export function testTopicPrefix(label: string): string {
  return `t.${suffix(label)}.`;
}
