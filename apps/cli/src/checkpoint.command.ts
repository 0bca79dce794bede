import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { Client } from 'pg';
import {
  assertYilianStore,
  keyIdOf,
  lastCheckpointFile,
  signNewCheckpoints,
  writeCheckpointFile,
} from '@yilian/event-store';
import { checkpointProducer } from './checkpoint-kafka';
import { signingKey } from './keys';
import { storeUrl } from './store-url';
import { EXIT, UsageError } from './usage-error';

interface CheckpointOptions {
  store?: string;
  dir?: string;
  key?: string;
  kafka?: string;
  topic: string;
  every: string;
  maxEvents: string;
  once?: boolean;
  json?: boolean;
}

export function checkpointCommand(program: Command): void {
  program
    .command('checkpoint')
    .description(
      'sign checkpoints of the log (position, log-wide hash, count, time; Ed25519) at intervals, as files in --dir and on Kafka; resumes from the last file in --dir',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .option('--dir <dir>', 'the directory of checkpoint files (default: YILIAN_CHECKPOINT_DIR)')
    .option('--key <pem>', 'Ed25519 private key (default: YILIAN_CHECKPOINT_KEY_FILE); never in the database')
    .option(
      '--kafka <brokers>',
      'also publish each checkpoint to Kafka, host:port,… (default: KAFKA_BROKERS if set)',
    )
    .option('--topic <name>', 'the checkpoints topic', 'yilian.checkpoints.v1')
    .option('--every <seconds>', 'seconds between rounds', '60')
    .option('--max-events <n>', 'events per checkpoint at most', '1000')
    .option('--once', 'one round, then exit (cron, tests)')
    .option('--json', 'one JSON line per checkpoint on stdout')
    .action(async (options: CheckpointOptions) => {
      process.exitCode = await runCheckpoints(options);
    });
}

async function runCheckpoints(options: CheckpointOptions): Promise<number> {
  const dir = options.dir ?? process.env.YILIAN_CHECKPOINT_DIR;
  if (!dir) throw new UsageError('--dir <dir> or YILIAN_CHECKPOINT_DIR is required');
  const url = storeUrl(options.store);
  const privateKey = signingKey(options.key);
  const maxEvents = Number(options.maxEvents);
  const every = Number(options.every);
  if (!Number.isInteger(maxEvents) || maxEvents < 1)
    throw new UsageError('--max-events must be a whole number ≥ 1');
  if (!(every > 0)) throw new UsageError('--every must be a number of seconds > 0');
  const brokers = (options.kafka ?? process.env.KAFKA_BROKERS)?.split(',').filter(Boolean);
  const kafka = brokers?.length ? await checkpointProducer(brokers, options.topic) : undefined;
  let stopping = false;
  const abort = new AbortController();
  const stop = () => {
    stopping = true;
    abort.abort();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    do {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await assertYilianStore(client);
        const after = await lastCheckpointFile(dir);
        if (after && after.keyId !== keyIdOf(privateKey))
          throw new UsageError(
            `the last checkpoint in ${dir} (#${after.sequence}) was signed by key ${after.keyId}, not by this key ${keyIdOf(privateKey)}: a new key starts a new directory`,
          );
        for await (const c of signNewCheckpoints(client, {
          ...(after ? { after } : {}),
          privateKey,
          maxEvents,
        })) {
          // Kafka first: every file then has its copy on the topic (a crash in between resends it)
          await kafka?.publish(c);
          const path = await writeCheckpointFile(dir, c);
          const line = {
            sequence: c.sequence,
            position: c.position,
            count: c.count,
            logHash: c.logHash,
            file: path,
          };
          process.stdout.write(
            options.json
              ? `${JSON.stringify(line)}\n`
              : `checkpoint #${c.sequence} at ${c.position}: ${c.count} events, log hash ${c.logHash} → ${path}${kafka ? ` and ${options.topic}` : ''}\n`,
          );
        }
      } finally {
        await client.end();
      }
      if (!options.once && !stopping)
        await sleep(every * 1000, undefined, { signal: abort.signal }).catch(() => undefined);
    } while (!options.once && !stopping);
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await kafka?.close();
  }
  return EXIT.ok;
}
