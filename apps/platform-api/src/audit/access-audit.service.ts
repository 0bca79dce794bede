import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';

export const ACCESS_LOG_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS pa_access_log (
  serial        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  purpose       text,
  patient_key   text,
  interaction   text NOT NULL,
  resource_type text NOT NULL,
  returned      int NOT NULL
);
CREATE INDEX IF NOT EXISTS pa_access_log_patient ON pa_access_log (patient_key, at);
`;

/** Every read of a patient's data through platform-api is recorded (who, why, what, how many),
 * with a serial number: the 调阅 count the regulations ask for. */
@Injectable()
export class AccessAuditService implements OnModuleInit {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    await this.pool.query('SELECT pg_advisory_lock(7351003)');
    try {
      await this.pool.query(ACCESS_LOG_DDL);
    } finally {
      await this.pool.query('SELECT pg_advisory_unlock(7351003)');
    }
  }

  async record(entry: {
    actor: string;
    purpose?: string;
    patientKey?: string;
    interaction: 'search' | 'read' | 'history';
    resourceType: string;
    returned: number;
  }): Promise<number> {
    const { rows } = await this.pool.query<{ serial: string }>(
      `INSERT INTO pa_access_log (actor, purpose, patient_key, interaction, resource_type, returned)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING serial`,
      [
        entry.actor,
        entry.purpose ?? null,
        entry.patientKey ?? null,
        entry.interaction,
        entry.resourceType,
        entry.returned,
      ],
    );
    return Number(rows[0]!.serial);
  }
}
