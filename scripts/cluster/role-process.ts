/* One role of the cluster as an OS process: started from the compiled app (dist/, as deployed)
 * or from source (swc-node, for tests), tied to this process so it never outlives it, its
 * JSON log lines passed on; ready once it logs its role's ready message. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { spawnTiedToUs } from '../../libs/testing/src/child-process';
import { REPO_ROOT, ROLES, type RoleName } from './roles';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export type LogLine = (process: string, line: string) => void;

export class RoleProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  /** Start times of this process, ms since the epoch (one per start). */
  readonly starts: number[] = [];

  constructor(
    /** Unique in the cluster: `projector-2`. */
    readonly name: string,
    readonly role: RoleName,
    readonly env: Readonly<Record<string, string>>,
    private readonly options: { fromSource: boolean; log: LogLine },
  ) {}

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process; resolves once it logged that it serves, rejects if it exits first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is running already`);
    const entry = ROLES[this.role].entry;
    const args = this.options.fromSource
      ? ['-r', '@swc-node/register', join(REPO_ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'))]
      : [join(REPO_ROOT, entry)];
    const child = spawnTiedToUs(this.name, process.execPath, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...this.env },
    });
    this.child = child;
    this.starts.push(Date.now());
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    this.exited = exited;
    const tail: string[] = [];
    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((ok) => (ready = ok));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        this.options.log(this.name, line);
        if (line.includes(`"msg":"${ROLES[this.role].readyMessage}"`)) ready();
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      isReady.then(() => 'ready' as const),
      exited.then(() => 'exited' as const),
      new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), READY_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    await this.kill();
    throw new Error(
      `${this.name} ${outcome === 'late' ? 'not ready in time' : 'exited'}:\n${tail.join('\n')}`,
    );
  }

  /** SIGKILL, as a crash; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the role's own shutdown), SIGKILL if it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return this.exited;
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), STOP_TIMEOUT_MS)));
    const first = await Promise.race([this.exited!.then(() => 'gone' as const), late]);
    clearTimeout(timer);
    if (first === 'late') await this.kill();
  }
}
