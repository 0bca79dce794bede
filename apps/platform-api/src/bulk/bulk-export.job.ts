import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { patientKeysToFhir } from '@yilian/contracts';
import { INSTITUTION_PATIENTS, institutionsPatientsSql } from '../fhir/search/fhir-search.service';
import { SEARCH_TABLES, type SearchableType } from '../fhir/search/search-tables';
import type { ReadClient } from '../platform-auth';

export type ExportType = SearchableType | 'Patient';

export interface ExportRequest {
  readonly client: ReadClient;
  /** The kick-off URL, as the manifest's `request`. */
  readonly request: string;
  readonly types: readonly ExportType[];
  readonly since?: Date;
  /** Patient-level `patient`: only these hub patient keys. */
  readonly patients?: readonly string[];
  /** Group level: only the patients these institutions have a part in (the group's members). */
  readonly groupInstitutions?: readonly string[];
  /** Kick-off parameters ignored (handling=lenient), as a warning in the manifest's error array. */
  readonly ignored?: readonly string[];
}

export interface ExportOutput {
  readonly type: ExportType | 'OperationOutcome';
  readonly file: string;
  readonly count: number;
}

const PAGE = 1000;

/**
 * One Bulk Data export: for each type, the rows the client may see, last updated after `_since`
 * and not after the transaction time, streamed page by page (keyset on the id) into one NDJSON
 * file per type — memory stays flat whatever the size.
 */
export class BulkExportJob {
  status: 'running' | 'done' | 'failed' | 'cancelled' = 'running';
  readonly transactionTime = new Date();
  readonly output: ExportOutput[] = [];
  /** OperationOutcome files (warnings) for the manifest's `error` array. */
  readonly messages: ExportOutput[] = [];
  error?: string;
  completedAt?: Date;
  exported = 0;
  private typesDone = 0;

  constructor(
    readonly id: string,
    readonly req: ExportRequest,
    readonly dir: string,
    private readonly pool: Pool,
  ) {}

  get progress(): string {
    return `${this.typesDone}/${this.req.types.length} types, ${this.exported} resources`;
  }

  async run(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      if (this.req.ignored?.length) await this.warn(this.req.ignored);
      for (const type of this.req.types) {
        if (this.status !== 'running') return;
        const count = await this.exportType(type, join(this.dir, `${type}.ndjson`));
        if (count > 0) this.output.push({ type, file: `${type}.ndjson`, count });
        this.typesDone++;
      }
      if (this.status === 'running') {
        this.status = 'done';
        this.completedAt = new Date();
      }
    } catch (e) {
      if (this.status === 'running') {
        this.status = 'failed';
        this.error = (e as Error).message;
      }
    }
  }

  /** The file a manifest names (an output or a message), if this job has it. */
  fileNamed(file: string): ExportOutput | undefined {
    return [...this.output, ...this.messages].find((o) => o.file === file);
  }

  private async warn(ignored: readonly string[]): Promise<void> {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: ignored.map((name) => ({
        severity: 'warning',
        code: 'not-supported',
        diagnostics: `export parameter ${name.slice(0, 40)} was ignored (Prefer: handling=lenient)`,
        expression: [name.slice(0, 40)],
      })),
    };
    const file = 'OperationOutcome.ndjson';
    await writeFile(join(this.dir, file), `${JSON.stringify(outcome)}\n`, 'utf8');
    this.messages.push({ type: 'OperationOutcome', file, count: 1 });
  }

  async cancel(): Promise<void> {
    if (this.status === 'running') this.status = 'cancelled';
    await rm(this.dir, { recursive: true, force: true });
  }

  private async exportType(type: ExportType, path: string): Promise<number> {
    const out = createWriteStream(path, { encoding: 'utf8' });
    let failure: Error | undefined; // a disk error fails the job, never the process
    out.on('error', (e) => (failure ??= e));
    let count = 0;
    try {
      let last = '';
      for (;;) {
        if (this.status !== 'running') break;
        const { rows } = await this.pool.query<{ id: string; resource: unknown }>(this.pageSql(type), [
          last,
          this.transactionTime,
          this.req.since ?? null,
          this.req.client.role === 'institution' ? this.req.client.institution : null,
          this.req.patients ?? null,
          this.req.groupInstitutions ?? null,
        ]);
        for (const r of rows) {
          if (failure) throw failure;
          await write(out, `${patientKeysToFhir(JSON.stringify(r.resource))}\n`);
        }
        count += rows.length;
        this.exported += rows.length;
        if (rows.length < PAGE) break;
        last = rows.at(-1)!.id;
      }
    } finally {
      if (!out.destroyed) await new Promise<void>((resolve) => out.end(resolve));
    }
    if (failure) throw failure;
    return count;
  }

  /** $1 the last id, $2 the transaction time, $3 _since, $4 the institution (its patients),
   * $5 the patient keys of a Patient-level `patient` parameter, $6 a group's institutions. */
  private pageSql(type: ExportType): string {
    const reach = (column: string) =>
      `($4::text IS NULL OR ${column} IN ${INSTITUTION_PATIENTS.replace(/\$\?/g, '$4')})` +
      ` AND ($5::text[] IS NULL OR ${column} = ANY($5::text[]))` +
      ` AND ($6::text[] IS NULL OR ${column} IN ${institutionsPatientsSql('$6')})`;
    if (type === 'Patient') {
      const keys = Object.values(SEARCH_TABLES)
        .map((t) => `SELECT patient_key, ${t.lastUpdated} AS lu FROM ${t.from}`)
        .join(' UNION ALL ');
      return `SELECT patient_key AS id, jsonb_build_object('resourceType', 'Patient', 'id', patient_key) AS resource
                FROM (${keys}) p
               WHERE patient_key > $1 AND lu <= $2 AND ($3::timestamptz IS NULL OR lu > $3) AND ${reach('patient_key')}
               GROUP BY patient_key ORDER BY patient_key LIMIT ${PAGE}`;
    }
    const t = SEARCH_TABLES[type];
    return `SELECT ${t.id} AS id, ${t.resource} AS resource FROM ${t.from}
             WHERE ${t.id} > $1 AND ${t.lastUpdated} <= $2
               AND ($3::timestamptz IS NULL OR ${t.lastUpdated} > $3) AND ${reach(t.patient)}
             ORDER BY ${t.id} LIMIT ${PAGE}`;
  }
}

function write(out: WriteStream, line: string): Promise<void> {
  if (out.write(line)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      resolve();
    };
    out.once('drain', done);
    out.once('error', done);
  });
}
