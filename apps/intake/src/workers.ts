import cluster, { type Worker } from 'node:cluster';

export interface WorkersOptions {
  readonly count: number;
  readonly log: (level: 'info' | 'warn' | 'error', fields: object, message: string) => void;
}

/** The index a worker was forked with (0 … count-1), kept by its replacement; 0 without
 * workers. Index 0 runs what must run once (the referral expiry scheduler). */
export function workerIndex(): number {
  return Number(process.env.INTAKE_WORKER_INDEX ?? 0);
}

/** The young generation's semi-space of each worker, in MB, unless `--max-semi-space-size` is
 * given (node's options or NODE_OPTIONS). A lab message allocates ≈250 KB (its FHIR, the 15 KB
 * event text in UTF-16 and UTF-8, buffers), so the default 16 MB filled every ≈60 messages;
 * measured (bench/intake/README.md, 2026-12-07), 32 MB halves the scavenges and the hub's steps
 * before any I/O took ≈6 % less CPU per message. */
export const WORKER_SEMI_SPACE_MB = 32;

/** The worker's node options: the primary's, with the semi-space above unless one is given. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size'));
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
}

/** Tells the primary this worker is listening. */
export function workerReady(): void {
  if (cluster.isWorker) process.send?.({ intake: 'ready' });
}

/**
 * The primary of `count` intake workers, each a whole intake (its own event loop, store pool
 * and caches) listening on the same HTTP and MLLP ports: Node's cluster module hands each new
 * connection to a worker in turn, and an MLLP connection stays on its worker, so a sender's
 * messages stay in order. A worker that dies after it was ready is replaced; one that dies
 * before (a configuration error) stops everything, rather than forking in a loop. SIGTERM and
 * SIGINT stop the workers, then the primary.
 */
export function runWorkers(o: WorkersOptions): void {
  let stopping = false;
  const ready = new WeakSet<Worker>();
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
  const fork = (index: number) => {
    const worker = cluster.fork({ INTAKE_WORKER_INDEX: String(index) });
    worker.on('message', (m: unknown) => {
      if ((m as { intake?: string })?.intake === 'ready') ready.add(worker);
    });
    worker.on('exit', (code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      if (!ready.has(worker)) {
        o.log('error', { index, code, signal }, 'intake worker failed to start; stopping');
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
        process.exitCode = 1;
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
        return;
      }
      o.log('warn', { index, code, signal }, 'intake worker exited; starting another');
      fork(index);
    });
  };
  for (let i = 0; i < o.count; i++) fork(i);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      if (workers.length === 0) process.exit(0);
      for (const w of workers) w?.kill('SIGTERM');
    });
  }
  o.log('info', { workers: o.count }, 'intake primary started its workers');
}
