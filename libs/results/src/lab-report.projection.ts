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

interface LabReportRow {
  readonly id: string;
  readonly stream: string;
  readonly patientKey: string;
  readonly performer: string;
  readonly report: fhir4.DiagnosticReport;
  readonly observations: fhir4.Observation[];
  readonly version: number;
  readonly eventId: string;
  readonly recordedAt: string;
}

/** The read-model rows of one LabReportRecorded: the version's resources, with their meta. */
function labReportRow(event: RecordedEvent): LabReportRow {
  const data = event.data as LabReportRecordedV1;
  const version = Number(event.streamPosition) + 1;
  const meta = { versionId: String(version), lastUpdated: event.recordedAt };
  const report = { ...data.report, meta };
  return {
    id: report.id!,
    stream: event.stream,
    patientKey: event.metadata.patientKey ?? '',
    performer: data.performer,
    report,
    observations: data.observations.map((o) => ({ ...o, meta })),
    version,
    eventId: event.id,
    recordedAt: event.recordedAt,
  };
}

function observationRows(r: LabReportRow) {
  return r.observations.map((o) => ({
    id: o.id,
    report_id: r.id,
    patient_key: r.patientKey,
    status: o.status,
    tokens: codeTokens(o.code),
    effective: toTimestamp(o.effectiveDateTime ?? o.issued ?? r.report.effectiveDateTime),
    resource: o,
    last_updated: r.recordedAt,
  }));
}

const INSERT_OBSERVATIONS = `INSERT INTO rm_observations (id, report_id, patient_key, status, code_tokens, effective, resource, last_updated)
  SELECT x.id, x.report_id, x.patient_key, x.status, ARRAY(SELECT jsonb_array_elements_text(x.tokens)),
    x.effective::timestamptz, x.resource, x.last_updated
  FROM jsonb_to_recordset($1::jsonb) AS x(id text, report_id text, patient_key text, status text, tokens jsonb,
    effective text, resource jsonb, last_updated timestamptz)`;

/** Lab reports into the read model, a batch in four statements whatever its size: every
 * version kept for _history, and for each report its latest version as the current rows. */
async function applyLabReports(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  const rows = events.map(labReportRow);
  const latest = [...new Map(rows.map((r) => [r.id, r])).values()];
  await sql.query(
    `INSERT INTO rm_lab_report_versions (id, version, event_id, resource, observations, recorded_at)
     SELECT x.id, x.version, x.event_id, x.resource, x.observations, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, event_id uuid, resource jsonb,
       observations jsonb, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          version: r.version,
          event_id: r.eventId,
          resource: r.report,
          observations: r.observations,
          recorded_at: r.recordedAt,
        })),
      ),
    ],
  );
  await sql.query(
    `INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, issued, version, resource, last_updated)
     SELECT x.id, x.stream, x.patient_key, x.performer, x.status, ARRAY(SELECT jsonb_array_elements_text(x.tokens)),
       x.issued::timestamptz, x.version, x.resource, x.last_updated
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, stream text, patient_key text, performer text, status text,
       tokens jsonb, issued text, version int, resource jsonb, last_updated timestamptz)
     ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, status = excluded.status,
       code_tokens = excluded.code_tokens, issued = excluded.issued, version = excluded.version,
       resource = excluded.resource, last_updated = excluded.last_updated`,
    [
      JSON.stringify(
        latest.map((r) => ({
          id: r.id,
          stream: r.stream,
          patient_key: r.patientKey,
          performer: r.performer,
          status: r.report.status,
          tokens: codeTokens(r.report.code),
          issued: toTimestamp(r.report.issued ?? r.report.effectiveDateTime),
          version: r.version,
          resource: r.report,
          last_updated: r.recordedAt,
        })),
      ),
    ],
  );
  await sql.query('DELETE FROM rm_observations WHERE report_id = ANY($1::text[])', [latest.map((r) => r.id)]);
  const observations = latest.flatMap(observationRows);
  if (observations.length > 0) await sql.query(INSERT_OBSERVATIONS, [JSON.stringify(observations)]);
}

export const labReportProjection = {
  name: 'lab-reports',
  ddl: LAB_REPORT_READ_MODEL_DDL,
  canHandle: (event: RecordedEvent) => event.type === LAB_REPORT_RECORDED,
  apply: (sql: SqlExecutor, event: RecordedEvent): Promise<void> => applyLabReports(sql, [event]),
  applyMany: applyLabReports,
};
