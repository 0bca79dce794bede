import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Command, Reply } from './contender-process';

/** The bench's handle on one contender process: one request at a time. */
export class ContenderProcess {
  private readonly child: ChildProcess;
  private pending?: { resolve: (r: Reply & { ok: true }) => void; reject: (e: Error) => void };

  constructor(readonly label: string) {
    this.child = fork(join(__dirname, 'contender-process.ts'), { stdio: 'inherit' });
    this.child.on('message', (reply: Reply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.ok) pending?.resolve(reply);
      else pending?.reject(new Error(`${label}: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      this.pending?.reject(new Error(`${label}: process exited with ${code}`));
      this.pending = undefined;
    });
  }

  request(command: Command): Promise<Reply & { ok: true }> {
    if (this.pending) return Promise.reject(new Error(`${this.label}: a request is already running`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(command);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
