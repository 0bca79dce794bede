import { type fhir4, LAB_REPORT_RECORDED, labReportOf, type RecordedEvent } from '@yilian/contracts';
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
  const data = labReportOf(event);
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

/** What rm_observations keeps beside each observation of the version (in its order). */
function observationRows(r: LabReportRow) {
  return r.observations.map((o) => ({
    id: o.id,
    status: o.status,
    tokens: codeTokens(o.code),
    effective: toTimestamp(o.effectiveDateTime ?? o.issued ?? r.report.effectiveDateTime),
  }));
}

/** A batch's lab reports in one statement, its JSON parsed once (PostgreSQL's jsonb input and
 * the copies it makes of each value were most of the projection's cost): every version into
 * rm_lab_report_versions; each report's latest version (`latest`) into rm_lab_reports, and its
 * observations — elements of the version's `observations`, zipped with what the search needs
 * of each (`obs`) — into rm_observations. */
const APPLY_LAB_REPORTS = `WITH x AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, event_id uuid, stream text,
      patient_key text, performer text, status text, tokens text[], issued timestamptz, resource jsonb,
      observations jsonb, recorded_at timestamptz, latest boolean, obs jsonb)
  ),
  versions AS (
    INSERT INTO rm_lab_report_versions (id, version, event_id, resource, observations, recorded_at)
    SELECT x.id, x.version, x.event_id, x.resource, x.observations, x.recorded_at FROM x
    ON CONFLICT DO NOTHING
  ),
  reports AS (
    INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, issued, version, resource, last_updated)
    SELECT x.id, x.stream, x.patient_key, x.performer, x.status, x.tokens, x.issued, x.version, x.resource, x.recorded_at
    FROM x WHERE x.latest
    ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, status = excluded.status,
      code_tokens = excluded.code_tokens, issued = excluded.issued, version = excluded.version,
      resource = excluded.resource, last_updated = excluded.last_updated
  )
  INSERT INTO rm_observations (id, report_id, patient_key, status, code_tokens, effective, resource, last_updated)
  SELECT o.id, x.id, x.patient_key, o.status, o.tokens, o.effective, o.resource, x.recorded_at
  FROM x CROSS JOIN LATERAL ROWS FROM (
    jsonb_array_elements(x.observations),
    jsonb_to_recordset(x.obs) AS (id text, status text, tokens text[], effective timestamptz)
  ) AS o(resource, id, status, tokens, effective)
  WHERE x.latest`;

/** Lab reports into the read model, a batch in two statements whatever its size: every
 * version kept for _history, and for each report its latest version as the current rows. */
async function applyLabReports(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  const rows = events.map(labReportRow);
  const latest = new Map(rows.map((r) => [r.id, r]));
  // The observations of a version the batch replaces go first. A report's first version (one
  // stream per report: its id is the performer's accession) replaces nothing.
  const replaced = [...latest.values()].filter((r) => r.version > 1).map((r) => r.id);
  if (replaced.length > 0)
    await sql.query('DELETE FROM rm_observations WHERE report_id = ANY($1::text[])', [replaced]);
  await sql.query(APPLY_LAB_REPORTS, [
    JSON.stringify(
      rows.map((r) => {
        const current = latest.get(r.id) === r;
        return {
          id: r.id,
          version: r.version,
          event_id: r.eventId,
          stream: r.stream,
          patient_key: r.patientKey,
          performer: r.performer,
          status: r.report.status,
          tokens: codeTokens(r.report.code),
          issued: toTimestamp(r.report.issued ?? r.report.effectiveDateTime),
          resource: r.report,
          observations: r.observations,
          recorded_at: r.recordedAt,
          latest: current,
          obs: current ? observationRows(r) : [],
        };
      }),
    ),
  ]);
}

export const labReportProjection = {
  name: 'lab-reports',
  ddl: LAB_REPORT_READ_MODEL_DDL,
  // most of a rebuild's cost (bench:replay): a lane of its own beside the rest
  weight: 3,
  canHandle: (event: RecordedEvent) => event.type === LAB_REPORT_RECORDED,
  apply: (sql: SqlExecutor, event: RecordedEvent): Promise<void> => applyLabReports(sql, [event]),
  applyMany: applyLabReports,
};
