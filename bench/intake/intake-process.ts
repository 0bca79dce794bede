/**
 * The intake app as deployed, in a child process: `apps/intake/src/main.ts` with INTAKE_WORKERS
 * workers (Node cluster), configured through its environment and an institutions file, as in
 * production — the bench only sends it traffic and reads its CPU from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '@yilian/runtime';
import { processTreeCpuMs } from './server-cpu';

export interface IntakeProcessOptions {
  readonly dir: string;
  readonly databaseUrl: string;
  readonly workers: number;
  readonly poolSize: number;
  readonly host: string;
  readonly institutions: readonly { code: string; name: string; apiKeySha256: string }[];
  readonly patientKeySecret: string;
}

export class IntakeProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly mllpPorts: ReadonlyMap<string, number>,
    private readonly metricsUrl: string,
  ) {}

  static async start(o: IntakeProcessOptions): Promise<IntakeProcess> {
    const ports = new Map<string, number>();
    for (const i of o.institutions) ports.set(i.code, await freePort());
    const file = join(o.dir, 'institutions.json');
    writeFileSync(
      file,
      JSON.stringify({ institutions: o.institutions.map((i) => ({ ...i, mllpPort: ports.get(i.code) })) }),
    );
    const metricsPort = await freePort();
    const compiled = __filename.endsWith('.js');
    const main = resolve(__dirname, '../../apps/intake/src/main.ts');
    // BENCH_INTAKE_PROF_DIR: the intake's processes write V8 CPU profiles there when they stop
    const profile = process.env.BENCH_INTAKE_PROF_DIR;
    const nodeArgs = [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ...(compiled ? [] : ['-r', '@swc-node/register']),
    ];
    const child = spawn(process.execPath, [...nodeArgs, main], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        EVENT_STORE_URL: o.databaseUrl,
        INTAKE_INSTITUTIONS_FILE: file,
        INTAKE_WORKERS: String(o.workers),
        INTAKE_POOL_SIZE: String(o.poolSize),
        INTAKE_HOST: o.host,
        INTAKE_HTTP_PORT: String(await freePort()),
        INTAKE_METRICS_PORT: String(metricsPort),
        PATIENT_KEY_SECRET: o.patientKeySecret,
        LOG_LEVEL: 'info',
      },
    });
    // Ready when every worker has logged that it listens (the log is JSON lines on stdout).
    await new Promise<void>((ok, fail) => {
      let listening = 0;
      let buffered = '';
      const timer = setTimeout(() => fail(new Error('intake did not start within 60 s')), 60_000);
      child.on('exit', (code) => fail(new Error(`intake exited during start-up (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) !== -1) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.includes('intake listening') && ++listening === o.workers) {
            clearTimeout(timer);
            ok();
          }
          if (/"level":(50|60)/.test(line)) process.stderr.write(`intake: ${line}\n`);
        }
      });
    });
    child.stdout.on('data', () => undefined); // keep draining
    return new IntakeProcess(child, ports, `http://${o.host}:${metricsPort}/metrics`);
  }

  /** Its operator port's Prometheus text (the workers summed by the primary). */
  async metrics(): Promise<string> {
    return (await fetch(this.metricsUrl)).text();
  }

  /** CPU ms so far of the intake: its primary and every worker (live and exited). */
  cpuMs(): number {
    return processTreeCpuMs(this.child.pid!) ?? Number.NaN;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
