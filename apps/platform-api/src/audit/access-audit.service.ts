import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import type { ReadClient } from '../platform-auth';
import { GroupedWrites, migrateUnderLock } from '../access/grouped-writes';

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
ALTER TABLE pa_access_log ADD COLUMN IF NOT EXISTS client_role text;
ALTER TABLE pa_access_log ADD COLUMN IF NOT EXISTS client_institution text;
ALTER TABLE pa_access_log ADD COLUMN IF NOT EXISTS resources text[] NOT NULL DEFAULT '{}';
ALTER TABLE pa_access_log ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'success';
CREATE INDEX IF NOT EXISTS pa_access_log_patient ON pa_access_log (patient_key, at);
CREATE INDEX IF NOT EXISTS pa_access_log_actor ON pa_access_log (actor, at);
CREATE INDEX IF NOT EXISTS pa_access_log_at ON pa_access_log (at);
`;

export type AccessInteraction = 'search' | 'read' | 'history' | 'everything' | 'export' | 'recognisable';

export interface AccessEntry {
  /** The client's name. */
  readonly actor: string;
  /** Its role and institution (AuditEvent.agent); absent from older call sites. */
  readonly client?: ReadClient;
  /** `X-Purpose-Of-Use` (a v3 PurposeOfUse code such as TREAT, HPAYMT, HOPERAT). */
  readonly purpose?: string;
  readonly patientKey?: string;
  readonly interaction: AccessInteraction;
  readonly resourceType: string;
  readonly returned: number;
  /** `Type/id` of what the answer held (AuditEvent.entity). */
  readonly resources?: readonly string[];
  readonly outcome?: 'success' | 'refused';
}

/** Default retention of the access trail: 184 days (more than six months). */
export const DEFAULT_ACCESS_RETENTION_DAYS = 184;
export const ACCESS_AUDIT_RETENTION_DAYS = Symbol('ACCESS_AUDIT_RETENTION_DAYS');

/** Every read of a patient's data through platform-api is recorded (who, why, what, how many,
 * outcome), with a serial number: the 调阅 count the regulations ask for, served to auditors as
 * FHIR AuditEvent. Records that arrive together are written in one INSERT (the read still waits
 * for its record: nothing is answered unrecorded). docs/access-audit.md. */
@Injectable()
export class AccessAuditService implements OnModuleInit, OnModuleDestroy {
  private readonly writes = new GroupedWrites<AccessEntry, number>(500, (entries) => this.insert(entries));
  private purgeTimer: NodeJS.Timeout | undefined;
  readonly retentionDays: number;

  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Optional() @Inject(ACCESS_AUDIT_RETENTION_DAYS) retentionDays?: number,
  ) {
    this.retentionDays = retentionDays ?? DEFAULT_ACCESS_RETENTION_DAYS;
  }

  async onModuleInit(): Promise<void> {
    await migrateUnderLock(this.pool, 7351003, ACCESS_LOG_DDL);
    this.purgeTimer = setInterval(() => void this.purge(new Date()).catch(() => undefined), 6 * 3600_000);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** Records one read; resolves with its serial once it is stored. */
  record(entry: AccessEntry): Promise<number> {
    return this.writes.submit(entry);
  }

  /** Drops the access records older than the retention period (they are not part of the event
   * log's hash chain: docs/access-audit.md). Returns how many went. */
  async purge(now: Date): Promise<number> {
    const before = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const { rowCount } = await this.pool.query('DELETE FROM pa_access_log WHERE at < $1', [before]);
    return rowCount ?? 0;
  }

  /** One INSERT for entries that arrived together; their serials in the order given. */
  private async insert(entries: readonly AccessEntry[]): Promise<number[]> {
    const col = <T>(f: (e: AccessEntry) => T) => entries.map(f);
    const { rows } = await this.pool.query<{ serial: string }>({
      name: 'pa-access-log-insert',
      text: `INSERT INTO pa_access_log (actor, purpose, patient_key, interaction, resource_type, returned,
         client_role, client_institution, resources, outcome)
       SELECT a, p, k, i, t, n, r, ins, string_to_array(res, ' '), o
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                     $7::text[], $8::text[], $9::text[], $10::text[])
              WITH ORDINALITY AS u(a, p, k, i, t, n, r, ins, res, o, ord)
        ORDER BY ord
       RETURNING serial`,
      values: [
        col((e) => e.actor),
        col((e) => e.purpose ?? null),
        col((e) => e.patientKey ?? null),
        col((e) => e.interaction),
        col((e) => e.resourceType),
        col((e) => e.returned),
        col((e) => e.client?.role ?? null),
        col((e) => e.client?.institution ?? null),
        col((e) => (e.resources ?? []).join(' ')),
        col((e) => e.outcome ?? 'success'),
      ],
    });
    return rows.map((r) => Number(r.serial)).sort((a, b) => a - b);
  }
}
