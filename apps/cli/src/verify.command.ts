import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type LogBreak, readCheckpointDir, type StoreVerification, verifyStore } from '@yilian/event-store';
import { copyCheckpointsFromKafka, kafkaSource } from './checkpoint-kafka';
import { verifyingKey } from './keys';
import { Progress } from './progress';
import { storeUrl } from './store-url';
import { EXIT } from './usage-error';

interface VerifyOptions {
  store?: string;
  checkpoints?: string;
  publicKey?: string;
  topic: string;
  json?: boolean;
  pageSize: string;
}

export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'recompute every event hash, every stream chain and head, and the log-wide chain; with --checkpoints, check the log against signed checkpoints. Exit 0 intact, 1 broken, 2 error (empty or foreign store)',
    )
    .option('--store <url>', 'PostgreSQL URL of the event store (default: EVENT_STORE_URL)')
    .option(
      '--checkpoints <dir|kafka:brokers>',
      'signed checkpoints: a directory of checkpoint files, or kafka:<host:port,…>',
    )
    .option(
      '--public-key <pem>',
      'Ed25519 public key of the checkpoints (default: YILIAN_CHECKPOINT_PUBLIC_KEY_FILE)',
    )
    .option('--topic <name>', 'the checkpoints topic, with kafka:', 'yilian.checkpoints.v1')
    .option('--json', 'one JSON report on stdout (progress as JSON lines on stderr)')
    .option('--page-size <n>', 'events per read', '2000')
    .action(async (options: VerifyOptions) => {
      process.exitCode = await runVerify(options);
    });
}

async function runVerify(options: VerifyOptions): Promise<number> {
  const json = options.json === true;
  const progress = new Progress('verify', { json });
  const publicKey = options.checkpoints !== undefined ? verifyingKey(options.publicKey) : undefined;
  let scratch: string | undefined;
  try {
    let dir = options.checkpoints;
    if (dir !== undefined && kafkaSource(dir)) {
      scratch = await mkdtemp(join(tmpdir(), 'yilian-checkpoints-'));
      await copyCheckpointsFromKafka(kafkaSource(dir)!, options.topic, scratch);
      dir = scratch;
    }
    let done = 0;
    const result = await verifyStore({
      connectionString: storeUrl(options.store),
      pageSize: Number(options.pageSize),
      ...(dir !== undefined && publicKey
        ? { checkpoints: { source: readCheckpointDir(dir), publicKey } }
        : {}),
      onProgress: (d, total) => {
        done = d;
        progress.update(d, total);
      },
    });
    progress.finish(done, result.events);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ok: result.breakCount === 0, ...result, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
      );
    else printReport(result);
    return result.breakCount === 0 ? EXIT.ok : EXIT.broken;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

export function describeBreak(b: LogBreak): string {
  const where = [
    b.stream ?? '(log)',
    b.revision !== null ? `revision ${b.revision}` : undefined,
    b.position !== null ? `at ${b.position}` : undefined,
    b.eventId ? `(${b.eventId})` : undefined,
  ].filter(Boolean);
  return `BROKEN ${b.kind.padEnd(9)} ${where.join(' ')}: ${b.reason}`;
}

function printReport(r: StoreVerification): void {
  for (const b of r.breaks) process.stdout.write(`${describeBreak(b)}\n`);
  if (r.breakCount > r.breaks.length)
    process.stdout.write(`… and ${r.breakCount - r.breaks.length} more break(s)\n`);
  const lines = [
    `${r.events} events in ${r.streams} streams verified up to ${r.lastPosition ?? '-'}; ${r.breakCount} break(s)`,
    `log hash ${r.logHash || '-'}`,
  ];
  if (r.unusedPositions > 0)
    lines.push(
      `${r.unusedPositions} global position(s) unused: rolled-back appends leave them, and so would a deletion — the checkpoints tell`,
    );
  const c = r.checkpoints;
  if (c) {
    lines.push(
      c.lastSequence === null
        ? 'checkpoints: none usable'
        : `checkpoints: ${c.checkpoints} signed checkpoint(s) up to #${c.lastSequence} at ${c.lastPosition}; ${c.coveredEvents} events covered, ${r.events - c.coveredEvents} after the last`,
    );
    if (c.firstDivergent)
      lines.push(
        `the log no longer gives checkpoint #${c.firstDivergent.sequence}'s log hash (at ${c.firstDivergent.position})`,
      );
  } else
    lines.push(
      'checkpoints: not checked (--checkpoints): a rewrite with a recomputed chain, or a deleted stream, would not show',
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}
