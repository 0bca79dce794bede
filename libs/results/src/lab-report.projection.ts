import {
  type fhir4,
  LAB_REPORT_RECORDED,
  type LabReportRecordedV1,
  type RecordedEvent,
} from '@yilian/contracts';
import type { SqlExecutor } from './sql-executor';

/** Lab reports and their observations per patient, stored so FHIR search is an indexed query.
 * Every version stays readable (_history). */
export const LAB_REPORT_READ_MODEL_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_lab_reports (
  id            text PRIMARY KEY,
  stream        text NOT NULL UNIQUE,
  patient_key   text NOT NULL,
  performer     text NOT NULL,
  status        text NOT NULL,
  code_tokens   text[] NOT NULL,
  issued        timestamptz,
  version       int NOT NULL,
  resource      jsonb NOT NULL,
  last_updated  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_lab_reports_patient ON rm_lab_reports (patient_key, issued DESC, id);
CREATE INDEX IF NOT EXISTS rm_lab_reports_codes ON rm_lab_reports USING gin (code_tokens);

CREATE TABLE IF NOT EXISTS rm_lab_report_versions (
  id           text NOT NULL,
  version      int NOT NULL,
  event_id     uuid NOT NULL,
  resource     jsonb NOT NULL,
  observations jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (id, version)
);

CREATE TABLE IF NOT EXISTS rm_observations (
  id            text PRIMARY KEY,
  report_id     text NOT NULL,
  patient_key   text NOT NULL,
  status        text NOT NULL,
  code_tokens   text[] NOT NULL,
  effective     timestamptz,
  resource      jsonb NOT NULL,
  last_updated  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_observations_patient ON rm_observations (patient_key, effective DESC, id);
CREATE INDEX IF NOT EXISTS rm_observations_report ON rm_observations (report_id);
CREATE INDEX IF NOT EXISTS rm_observations_codes ON rm_observations USING gin (code_tokens);
`;

/** Search tokens for a CodeableConcept: "code" and "system|code" for every coding. */
export function codeTokens(concept: { coding?: { system?: string; code?: string }[] } | undefined): string[] {
  const tokens = new Set<string>();
  for (const c of concept?.coding ?? []) {
    if (!c.code) continue;
    tokens.add(c.code);
    if (c.system) tokens.add(`${c.system}|${c.code}`);
  }
  return [...tokens];
}

function toTimestamp(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** One version of a DiagnosticReport (lab or imaging) into the report tables: the current row
 * and the version kept for _history. */
export async function upsertDiagnosticReport(
  sql: SqlExecutor,
  r: {
    id: string;
    stream: string;
    patientKey: string;
    performer: string;
    report: fhir4.DiagnosticReport;
    version: number;
    eventId: string;
    recordedAt: string;
    /** The version's observations as a JSON array text ('[]' for none). */
    observations: string;
  },
): Promise<void> {
  await sql.query(
    `INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, issued, version, resource, last_updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET patient_key = $3, status = $5, code_tokens = $6, issued = $7,
       version = $8, resource = $9, last_updated = $10`,
    [
      r.id,
      r.stream,
      r.patientKey,
      r.performer,
      r.report.status,
      codeTokens(r.report.code),
      toTimestamp(r.report.issued ?? r.report.effectiveDateTime),
      r.version,
      r.report,
      r.recordedAt,
    ],
  );
  await sql.query(
    `INSERT INTO rm_lab_report_versions (id, version, event_id, resource, observations, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [r.id, r.version, r.eventId, r.report, r.observations, r.recordedAt],
  );
}

export const labReportProjection = {
  name: 'lab-reports',
  ddl: LAB_REPORT_READ_MODEL_DDL,
  canHandle: (event: RecordedEvent) => event.type === LAB_REPORT_RECORDED,

  async apply(sql: SqlExecutor, event: RecordedEvent): Promise<void> {
    const data = event.data as LabReportRecordedV1;
    const version = Number(event.streamPosition) + 1;
    const meta = { versionId: String(version), lastUpdated: event.recordedAt };
    const report = { ...data.report, meta };
    const observations = data.observations.map((o) => ({ ...o, meta }));
    const id = report.id!;
    const patientKey = event.metadata.patientKey ?? '';
    await upsertDiagnosticReport(sql, {
      id,
      stream: event.stream,
      patientKey,
      performer: data.performer,
      report,
      version,
      eventId: event.id,
      recordedAt: event.recordedAt,
      observations: JSON.stringify(observations),
    });
    await sql.query('DELETE FROM rm_observations WHERE report_id = $1', [id]);
    if (observations.length === 0) return;
    // One statement for all observations of the report (a lab report has ~15).
    const rows = observations.map((o) => ({
      id: o.id,
      status: o.status,
      tokens: codeTokens(o.code),
      effective: toTimestamp(o.effectiveDateTime ?? o.issued ?? report.effectiveDateTime),
      resource: o,
    }));
    await sql.query(
      `INSERT INTO rm_observations (id, report_id, patient_key, status, code_tokens, effective, resource, last_updated)
       SELECT x.id, $2, $3, x.status, ARRAY(SELECT jsonb_array_elements_text(x.tokens)), x.effective::timestamptz,
         x.resource, $4
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, status text, tokens jsonb, effective text, resource jsonb)`,
      [JSON.stringify(rows), id, patientKey, event.recordedAt],
    );
  },
};
