import { type fhir4, LAB_REPORT_RECORDED, labReportOf, type RecordedEvent } from '@yilian/contracts';
import type { SqlExecutor } from './sql-executor';

/** Lab reports and their observations per patient, stored so FHIR search is an indexed query.
 * Every version stays readable (_history): the current one is the rows of `rm_lab_reports` and
 * `rm_observations` (in `ord` order); `rm_lab_report_versions` keeps the versions a later one
 * superseded — each resource stored once, not again as a version of itself
 * (`LAB_REPORT_HISTORY` reads both as one). */
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
  event_id      uuid NOT NULL,
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
  ord           int NOT NULL,
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

-- Read models of before 2026-12-08 kept every version, the current one too, in
-- rm_lab_report_versions: once, the current version's event id and observation order move to
-- the current rows and its copy goes.
DO $migrate$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                 AND table_name = 'rm_lab_reports' AND column_name = 'event_id') THEN
    ALTER TABLE rm_lab_reports ADD COLUMN event_id uuid;
    ALTER TABLE rm_observations ADD COLUMN ord int NOT NULL DEFAULT 0;
    UPDATE rm_lab_reports r SET event_id = v.event_id
      FROM rm_lab_report_versions v WHERE v.id = r.id AND v.version = r.version;
    UPDATE rm_observations o SET ord = e.n - 1
      FROM rm_lab_reports r JOIN rm_lab_report_versions v ON v.id = r.id AND v.version = r.version,
        jsonb_array_elements(v.observations) WITH ORDINALITY AS e(resource, n)
     WHERE o.report_id = r.id AND e.resource->>'id' = o.id;
    DELETE FROM rm_lab_report_versions v USING rm_lab_reports r WHERE v.id = r.id AND v.version = r.version;
    ALTER TABLE rm_lab_reports ALTER COLUMN event_id SET NOT NULL;
    ALTER TABLE rm_observations ALTER COLUMN ord DROP DEFAULT;
  END IF;
END $migrate$;
`;

/** The current version of each DiagnosticReport as a version row (id, version, event_id,
 * resource, observations, recorded_at): its report row with its observations in report order. */
const CURRENT_VERSIONS = /* sql */ `SELECT r.id, r.version, r.event_id, r.resource,
    COALESCE((SELECT jsonb_agg(o.resource ORDER BY o.ord) FROM rm_observations o WHERE o.report_id = r.id), '[]'::jsonb),
    r.last_updated
  FROM rm_lab_reports r`;

/** Every version of every DiagnosticReport (lab and imaging), as one relation
 * (id, version, event_id, resource, observations, recorded_at): the superseded versions and the
 * current ones. Filters on `id` reach both sides. */
export const LAB_REPORT_HISTORY = /* sql */ `(
  SELECT id, version, event_id, resource, observations, recorded_at FROM rm_lab_report_versions
  UNION ALL
  ${CURRENT_VERSIONS}
) AS lab_report_history`;

/** $1: report ids about to get a new current version → their current version (report and
 * observations) kept in rm_lab_report_versions, their observation rows gone. */
const SUPERSEDE = /* sql */ `WITH kept AS (
    INSERT INTO rm_lab_report_versions (id, version, event_id, resource, observations, recorded_at)
    ${CURRENT_VERSIONS} WHERE r.id = ANY($1::text[])
    ON CONFLICT DO NOTHING
  )
  DELETE FROM rm_observations WHERE report_id = ANY($1::text[])`;

async function supersede(sql: SqlExecutor, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await sql.query(SUPERSEDE, [ids]);
}

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

/** One version of a DiagnosticReport (an imaging report) into the report tables: the current
 * row, the version it replaces kept for _history. */
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
  },
): Promise<void> {
  if (r.version > 1) await supersede(sql, [r.id]);
  await sql.query(
    `INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, issued, version, event_id, resource, last_updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11, $9, $10)
     ON CONFLICT (id) DO UPDATE SET patient_key = $3, status = $5, code_tokens = $6, issued = $7,
       version = $8, event_id = $11, resource = $9, last_updated = $10`,
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
      r.eventId,
    ],
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

/** What rm_observations keeps of each observation of the version (in its order). */
function observationRows(r: LabReportRow) {
  return r.observations.map((o, ord) => ({
    id: o.id,
    ord,
    status: o.status,
    tokens: codeTokens(o.code),
    effective: toTimestamp(o.effectiveDateTime ?? o.issued ?? r.report.effectiveDateTime),
    resource: o,
  }));
}

/** A batch's lab reports in one statement, its JSON parsed once (PostgreSQL's jsonb input and
 * the copies it makes of each value were most of the projection's cost): each report's latest
 * version (`latest`) into rm_lab_reports and its observations (`obs`, each with what the search
 * needs of it) into rm_observations; a version the batch itself supersedes straight into
 * rm_lab_report_versions, its observations with it. */
const APPLY_LAB_REPORTS = `WITH x AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, event_id uuid, stream text,
      patient_key text, performer text, status text, tokens text[], issued timestamptz, resource jsonb,
      observations jsonb, recorded_at timestamptz, latest boolean, obs jsonb)
  ),
  versions AS (
    INSERT INTO rm_lab_report_versions (id, version, event_id, resource, observations, recorded_at)
    SELECT x.id, x.version, x.event_id, x.resource, x.observations, x.recorded_at FROM x WHERE NOT x.latest
    ON CONFLICT DO NOTHING
  ),
  reports AS (
    INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, issued, version, event_id, resource, last_updated)
    SELECT x.id, x.stream, x.patient_key, x.performer, x.status, x.tokens, x.issued, x.version, x.event_id, x.resource, x.recorded_at
    FROM x WHERE x.latest
    ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, status = excluded.status,
      code_tokens = excluded.code_tokens, issued = excluded.issued, version = excluded.version,
      event_id = excluded.event_id, resource = excluded.resource, last_updated = excluded.last_updated
  )
  INSERT INTO rm_observations (id, report_id, ord, patient_key, status, code_tokens, effective, resource, last_updated)
  SELECT o.id, x.id, o.ord, x.patient_key, o.status, o.tokens, o.effective, o.resource, x.recorded_at
  FROM x CROSS JOIN LATERAL jsonb_to_recordset(x.obs)
    AS o(id text, ord int, status text, tokens text[], effective timestamptz, resource jsonb)
  WHERE x.latest`;

/** Lab reports into the read model, a batch in two statements whatever its size: for each
 * report its latest version as the current rows, the versions they replace kept for _history. */
async function applyLabReports(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  const rows = events.map(labReportRow);
  const latest = new Map(rows.map((r) => [r.id, r]));
  // The current version of a report the batch gives a new one goes to the versions first. A
  // report's first version (one stream per report: its id is the performer's accession)
  // replaces nothing.
  await supersede(
    sql,
    [...latest.values()].filter((r) => r.version > 1).map((r) => r.id),
  );
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
          observations: current ? [] : r.observations,
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
  // most of a rebuild's cost (bench:replay), and one report's rows are its own: its streams
  // shared out among the lanes
  weight: 3,
  partitioned: true,
  canHandle: (event: RecordedEvent) => event.type === LAB_REPORT_RECORDED,
  apply: (sql: SqlExecutor, event: RecordedEvent): Promise<void> => applyLabReports(sql, [event]),
  applyMany: applyLabReports,
};
