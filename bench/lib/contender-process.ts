/* One contender, in a process of its own, doing what bench/store.bench.ts asks over IPC.
 * Own process: Emmett's dumbo sets process-wide pg type parsers (int8 → BigInt, json with a
 * bigint reviver) that must not leak into the other contender; each gets its own heap and JIT.
 * Both stay up so the bench can alternate them phase by phase on a machine shared with others. */
import { type Contender, type ContenderName, openContender } from './contender';
import { type AppendRange, appendRange, readAll, type TimedAppends, type TimedRead } from './workload-runner';

export type Command =
  | {
      readonly cmd: 'open';
      readonly contender: ContenderName;
      readonly url: string;
      readonly poolSize: number;
    }
  | { readonly cmd: 'append'; readonly range: AppendRange }
  | { readonly cmd: 'readAll'; readonly batch: number }
  | { readonly cmd: 'close' };

export type Reply =
  | { readonly ok: true; readonly name?: string; readonly appended?: TimedAppends; readonly read?: TimedRead }
  | { readonly ok: false; readonly error: string };

let contender: Contender | undefined;
const lengths = new Map<string, number>();

async function handle(command: Command): Promise<Reply> {
  switch (command.cmd) {
    case 'open':
      contender = await openContender(command.contender, command.url, command.poolSize);
      return { ok: true, name: contender.name };
    case 'append':
      if (!contender) throw new Error('not open');
      return { ok: true, appended: await appendRange(contender, lengths, command.range) };
    case 'readAll':
      if (!contender) throw new Error('not open');
      return { ok: true, read: await readAll(contender, command.batch) };
    case 'close':
      await contender?.close();
      contender = undefined;
      return { ok: true };
  }
}

if (require.main === module) {
  if (!process.send) {
    console.error('contender-process: started without IPC; run `npm run bench:store`');
    process.exit(2);
  }
  process.on('message', (command: Command) => {
    handle(command).then(
      (reply) => process.send!(reply, () => command.cmd === 'close' && process.exit(0)),
      (error: unknown) =>
        process.send!({
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies Reply),
    );
  });
}
