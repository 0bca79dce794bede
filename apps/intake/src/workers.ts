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
