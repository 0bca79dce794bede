import type { RecordedEvent } from '@yilian/contracts';
import type { SqlExecutor } from '@yilian/results';

/** A read model: its tables, which events it reads, and how one event changes it. A
 * projection reads and writes only its own tables, so the runner may apply a batch projection
 * by projection (each in log order). */
export interface Projection {
  readonly name: string;
  readonly ddl: string;
  canHandle(event: RecordedEvent): boolean;
  apply(sql: SqlExecutor, event: RecordedEvent): Promise<void>;
  /** Optional: several events (in log order, each not applied before) in a few statements —
   * the same tables as `apply` one by one would give. */
  applyMany?(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void>;
  /** How much applying costs beside the others (default 0.1): what the runner balances its
   * lanes by (`ProjectionRunnerOptions.lanes`). */
  readonly weight?: number;
  /** Events of different streams never touch the same rows (no counts or rows across streams):
   * the runner may apply them in different lanes at once, a share of the streams in each. */
  readonly partitioned?: boolean;
}

export const PROJECTION_DDL = /* sql */ `
-- Per projection and stream: the last stream position applied. Kafka delivers at least once
-- and partitions interleave streams; this is what makes a redelivery a no-op.
CREATE TABLE IF NOT EXISTS rm_stream_positions (
  projection text NOT NULL,
  stream     text NOT NULL,
  position   bigint NOT NULL,
  PRIMARY KEY (projection, stream)
);
-- Per consumer: the global position it has applied up to (in-process subscription, rebuilds).
CREATE TABLE IF NOT EXISTS rm_checkpoints (
  consumer   text PRIMARY KEY,
  position   text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
