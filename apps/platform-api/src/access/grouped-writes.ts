import type { Pool } from 'pg';

/**
 * Writes that arrive together go out as one statement: each `submit` waits for the write of
 * the batch it joined (nothing is answered before its row is stored), and a batch that fails
 * rejects every caller in it. Batches are flushed on the next turn of the event loop, at most
 * `maxBatch` items each; `write` answers one output per input, in order.
 */
export class GroupedWrites<In, Out> {
  private pending: { input: In; resolve(out: Out): void; reject(e: unknown): void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly maxBatch: number,
    private readonly write: (inputs: readonly In[]) => Promise<readonly Out[]>,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const outs = await this.write(batch.map((p) => p.input));
        batch.forEach((p, i) => p.resolve(outs[i]!));
      } catch (e) {
        batch.forEach((p) => p.reject(e));
      }
    }
    this.flushing = undefined;
  }
}

/** Runs a slice's own DDL under its advisory lock (two instances starting together wait for
 * each other instead of racing on CREATE … IF NOT EXISTS), on one connection: a session lock
 * taken and released through the pool could be released on another connection and left held. */
export async function migrateUnderLock(pool: Pool, lockId: number, ddl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockId]);
    try {
      await client.query(ddl);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [lockId]);
    }
  } finally {
    client.release();
  }
}
