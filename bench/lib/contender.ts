import type { NewEvent } from '@yilian/contracts';

/** What the bench needs from an event store: the same calls an intake and a relay make. */
export interface Contender {
  readonly name: string;
  /** Appends with optimistic concurrency: `streamLength` is how many events the stream holds. */
  append(stream: string, events: readonly NewEvent[], streamLength: number): Promise<void>;
  /** Reads the whole global log from the start in batches of `batchSize`; returns the count. */
  readAllFromStart(batchSize: number): Promise<number>;
  close(): Promise<void>;
}

export type ContenderName = 'yilian' | 'emmett';

export const CONTENDER_LABELS: Record<ContenderName, string> = {
  yilian: 'Yilian PostgresEventStore',
  emmett: 'Emmett PostgreSQL 0.42.0',
};

export async function openContender(
  name: ContenderName,
  connectionString: string,
  poolSize: number,
): Promise<Contender> {
  switch (name) {
    case 'yilian':
      return (await import('./yilian-contender')).openYilian(connectionString, poolSize);
    case 'emmett':
      return (await import('./emmett-contender')).openEmmett(connectionString, poolSize);
  }
}
