import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import type { StoreVerification } from '@yilian/event-store';
import { behindTheHubsBack, runCli, seedStore } from './testing/cli-harness';

const BIN = join(__dirname, '..', 'bin', 'yilian.js');

it('the checkpointer runs at intervals, publishes on Kafka and in its directory; verify reads either', async () => {
  const url = await createTestDatabase('cli_checkpoint_kafka');
  const { singles } = await seedStore(url, 2);
  const keys = await mkdtemp(join(tmpdir(), 'yilian-keys-'));
  expect((await runCli(['keygen', '--out', keys])).code).toBe(0);
  const dir = await mkdtemp(join(tmpdir(), 'yilian-checkpoints-'));
  const brokers = testKafkaBrokers().join(',');
  const topic = `${testTopicPrefix('cli')}checkpoints`;

  const checkpointer = spawn(
    process.execPath,
    [
      BIN,
      'checkpoint',
      '--store',
      url,
      '--dir',
      dir,
      '--kafka',
      brokers,
      '--topic',
      topic,
      '--every',
      '0.5',
      '--json',
    ],
    {
      env: { ...process.env, YILIAN_CHECKPOINT_KEY_FILE: join(keys, 'checkpoint-key.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  checkpointer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => checkpointer.on('close', resolve));
  const files = async () => (await readdir(dir)).filter((n) => n.endsWith('.json')).length;
  try {
    for (let i = 0; i < 120 && (await files()) < 1; i++) await sleep(250);
    expect(await files()).toBe(1);
    await seedStore(url, 1); // four more events: the next round signs them
    for (let i = 0; i < 120 && (await files()) < 2; i++) await sleep(250);
    expect(await files()).toBe(2);
  } finally {
    checkpointer.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { sequence: number; count: number });
  expect(lines.map((l) => [l.sequence, l.count])).toEqual([
    [1, 5],
    [2, 9],
  ]);

  const publicKey = join(keys, 'checkpoint-key.pub.pem');
  const fromKafka = await runCli([
    'verify',
    '--store',
    url,
    '--checkpoints',
    `kafka:${brokers}`,
    '--topic',
    topic,
    '--public-key',
    publicKey,
    '--json',
  ]);
  expect(fromKafka.code).toBe(0);
  expect((JSON.parse(fromKafka.stdout) as StoreVerification).checkpoints).toMatchObject({
    checkpoints: 2,
    coveredEvents: 9,
  });

  // one event deleted with its stream row: the Kafka copy names it as the directory does
  await behindTheHubsBack(url, async (c) => {
    await c.query('DELETE FROM yl_events WHERE event_id = $1', [singles[0]!.eventId]);
    await c.query('DELETE FROM yl_streams WHERE stream_id = $1', [singles[0]!.stream]);
  });
  for (const source of [`kafka:${brokers}`, dir]) {
    const run = await runCli([
      'verify',
      '--store',
      url,
      '--checkpoints',
      source,
      '--topic',
      topic,
      '--public-key',
      publicKey,
      '--json',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as StoreVerification;
    expect(report.breaks.map((b) => [b.kind, b.stream, b.revision, b.position])).toEqual([
      ['deleted', singles[0]!.stream, '0', singles[0]!.position],
    ]);
  }
}, 180_000);
