import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './load';
import type { LoadRequest } from './load-process';

type LoadReply =
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'error'; readonly message: string };

/** The bench's handle on the load-generator process; one run at a time. */
export class LoadChild {
  private readonly child: ChildProcess;
  private pending?: { resolve: (r: LoadResult) => void; reject: (e: Error) => void };

  constructor() {
    // Compiled (dist): plain .js. From source: the TypeScript loader the parent runs with.
    const compiled = __filename.endsWith('.js');
    this.child = fork(join(__dirname, compiled ? 'load-process.js' : 'load-process.ts'), [], {
      stdio: 'inherit',
      serialization: 'advanced', // the latencies travel as a Float64Array
      execArgv: compiled ? [] : ['-r', '@swc-node/register'],
    });
    this.child.on('message', (reply: LoadReply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.type === 'result') pending?.resolve(reply.result);
      else pending?.reject(new Error(`load generator: ${reply.message}`));
    });
    this.child.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`load generator exited (${signal ?? code})`));
      this.pending = undefined;
    });
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    if (this.pending) return Promise.reject(new Error('load generator: a run is already under way'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send({ type: 'run', spec } satisfies LoadRequest);
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
