import { Command, CommanderError } from 'commander';
import { EmptyStoreError, NotAYilianStoreError } from '@yilian/event-store';
import { checkpointCommand } from './checkpoint.command';
import { exportCommand } from './export.command';
import { keygenCommand } from './keygen.command';
import { rebuildCommand } from './rebuild.command';
import { replayCommand } from './replay.command';
import { EXIT, UsageError } from './usage-error';
import { verifyCommand } from './verify.command';

/**
 * `yilian` (npm run cli -- …, npx yilian …): the auditors' command line. Exit codes: 0 intact
 * or done, 1 a break or a difference found, 2 could not check (usage, empty or foreign store,
 * unreachable database).
 */
export function cli(): Command {
  const program = new Command('yilian')
    .description(
      'Yilian hub auditors’ tools: verify the event log, sign checkpoints, rebuild, replay, export',
    )
    .showHelpAfterError()
    .exitOverride();
  verifyCommand(program);
  checkpointCommand(program);
  keygenCommand(program);
  rebuildCommand(program);
  replayCommand(program);
  exportCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  // `yilian export … | head`: the reader went away, nothing more to say
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw e;
  });
  try {
    await cli().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.error;
      return;
    }
    const known =
      e instanceof UsageError || e instanceof EmptyStoreError || e instanceof NotAYilianStoreError;
    const message = (e as Error).message;
    process.stderr.write(`yilian: ${known ? message : `failed: ${message}`}\n`);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    process.exitCode = EXIT.error;
  }
}

if (require.main === module) void main(process.argv);
