import type { Pool } from 'pg';
import { formatPosition, type GlobalPosition, parsePosition } from '@yilian/contracts';

/** Where the relay remembers how far it has published: a row in PostgreSQL. */
export class PgCheckpointStore {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS yl_relay_checkpoints (
      relay text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async load(relay: string): Promise<GlobalPosition | undefined> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position FROM yl_relay_checkpoints WHERE relay = $1',
      [relay],
    );
    return rows[0] ? parsePosition(rows[0].position) : undefined;
  }

  async save(relay: string, position: GlobalPosition): Promise<void> {
    await this.pool.query(
      `INSERT INTO yl_relay_checkpoints (relay, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (relay) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [relay, formatPosition(position)],
    );
  }
}
