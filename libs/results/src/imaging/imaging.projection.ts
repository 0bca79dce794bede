import {
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type ImagingReportRecordedV1,
  type ImagingStudyRecordedV1,
  type RecordedEvent,
} from '@yilian/contracts';
import { LAB_REPORT_READ_MODEL_DDL, upsertDiagnosticReport } from '../lab-report.projection';
import type { SqlExecutor } from '../sql-executor';

/**
 * Imaging studies per patient, every version kept (_history). Imaging reports are
 * DiagnosticReports: they go to the same read model as lab reports (`rm_lab_reports`,
 * `rm_lab_report_versions`, `LAB_REPORT_HISTORY`), so `GET /fhir/DiagnosticReport?patient=…` answers both from one
 * indexed query; their category (RAD) and `imagingStudy` tell them apart.
 */
export const IMAGING_READ_MODEL_DDL = /* sql */ `
${LAB_REPORT_READ_MODEL_DDL}
CREATE TABLE IF NOT EXISTS rm_imaging_studies (
  id            text PRIMARY KEY,
  stream        text NOT NULL UNIQUE,
  patient_key   text NOT NULL,
  performer     text NOT NULL,
  status        text NOT NULL,
  study_uid     text,
  modalities    text[] NOT NULL,
  started       timestamptz,
  version       int NOT NULL,
  resource      jsonb NOT NULL,
  last_updated  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_imaging_studies_patient ON rm_imaging_studies (patient_key, started DESC, id);
CREATE INDEX IF NOT EXISTS rm_imaging_studies_uid ON rm_imaging_studies (study_uid);

CREATE TABLE IF NOT EXISTS rm_imaging_study_versions (
  id           text NOT NULL,
  version      int NOT NULL,
  event_id     uuid NOT NULL,
  resource     jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (id, version)
);
`;

function toTimestamp(value: string | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The version this event makes: one more than what the table holds for the resource. The
 * runner applies a stream's events once and in order, so a rebuild counts the same. */
async function nextVersion(sql: SqlExecutor, table: string, id: string): Promise<number> {
  const { rows } = await sql.query<{ v: number | null }>(
    `SELECT max(version) AS v FROM ${table} WHERE id = $1`,
    [id],
  );
  return (rows[0]?.v ?? 0) + 1;
}

async function applyStudy(sql: SqlExecutor, event: RecordedEvent): Promise<void> {
  const data = event.data as ImagingStudyRecordedV1;
  const id = data.study.id!;
  const version = await nextVersion(sql, 'rm_imaging_study_versions', id);
  const study = { ...data.study, meta: { versionId: String(version), lastUpdated: event.recordedAt } };
  await sql.query(
    `INSERT INTO rm_imaging_studies (id, stream, patient_key, performer, status, study_uid, modalities, started, version, resource, last_updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET patient_key = $3, status = $5, study_uid = $6, modalities = $7,
       started = $8, version = $9, resource = $10, last_updated = $11`,
    [
      id,
      event.stream,
      event.metadata.patientKey ?? '',
      data.performer,
      study.status,
      data.studyInstanceUid ?? null,
      data.modalities,
      toTimestamp(study.started),
      version,
      study,
      event.recordedAt,
    ],
  );
  await sql.query(
    `INSERT INTO rm_imaging_study_versions (id, version, event_id, resource, recorded_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [id, version, event.id, study, event.recordedAt],
  );
}

async function applyReport(sql: SqlExecutor, event: RecordedEvent): Promise<void> {
  const data = event.data as ImagingReportRecordedV1;
  const id = data.report.id!;
  const version = await nextVersion(sql, 'rm_lab_reports', id);
  const report = { ...data.report, meta: { versionId: String(version), lastUpdated: event.recordedAt } };
  await upsertDiagnosticReport(sql, {
    id,
    stream: event.stream,
    patientKey: event.metadata.patientKey ?? '',
    performer: data.performer,
    report,
    version,
    eventId: event.id,
    recordedAt: event.recordedAt,
  });
}

/** The latest version of each id in `table` (0 for none), in one query. */
async function versionsOf(
  sql: SqlExecutor,
  table: string,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ id: string; v: number }>(
    `SELECT id, max(version) AS v FROM ${table} WHERE id = ANY($1::text[]) GROUP BY id`,
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r.v]));
}

/** Studies, a batch in three statements: the versions numbered as `nextVersion` would one by
 * one (the table's latest, then one more per event of the batch, in log order). */
async function applyStudies(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  const at = await versionsOf(
    sql,
    'rm_imaging_study_versions',
    events.map((e) => (e.data as ImagingStudyRecordedV1).study.id!),
  );
  const rows = events.map((event) => {
    const data = event.data as ImagingStudyRecordedV1;
    const id = data.study.id!;
    const version = (at.get(id) ?? 0) + 1;
    at.set(id, version);
    const study = { ...data.study, meta: { versionId: String(version), lastUpdated: event.recordedAt } };
    return {
      id,
      stream: event.stream,
      patient_key: event.metadata.patientKey ?? '',
      performer: data.performer,
      status: study.status,
      study_uid: data.studyInstanceUid ?? null,
      modalities: data.modalities,
      started: toTimestamp(study.started),
      version,
      resource: study,
      event_id: event.id,
      recorded_at: event.recordedAt,
    };
  });
  const latest = [...new Map(rows.map((r) => [r.id, r])).values()];
  await sql.query(
    `INSERT INTO rm_imaging_studies (id, stream, patient_key, performer, status, study_uid, modalities, started, version, resource, last_updated)
     SELECT x.id, x.stream, x.patient_key, x.performer, x.status, x.study_uid, x.modalities, x.started, x.version, x.resource, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, stream text, patient_key text, performer text, status text,
       study_uid text, modalities text[], started timestamptz, version int, resource jsonb, recorded_at timestamptz)
     ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, status = excluded.status,
       study_uid = excluded.study_uid, modalities = excluded.modalities, started = excluded.started,
       version = excluded.version, resource = excluded.resource, last_updated = excluded.last_updated`,
    [JSON.stringify(latest)],
  );
  await sql.query(
    `INSERT INTO rm_imaging_study_versions (id, version, event_id, resource, recorded_at)
     SELECT x.id, x.version, x.event_id, x.resource, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, event_id uuid, resource jsonb, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          version: r.version,
          event_id: r.event_id,
          resource: r.resource,
          recorded_at: r.recorded_at,
        })),
      ),
    ],
  );
}

export const imagingProjection = {
  name: 'imaging',
  ddl: IMAGING_READ_MODEL_DDL,
  canHandle: (event: RecordedEvent) =>
    event.type === IMAGING_STUDY_RECORDED || event.type === IMAGING_REPORT_RECORDED,
  /** Studies in a few statements per batch; reports (rare: a radiologist's report per study,
   * later) one by one, in log order after the batch's studies — they touch other tables. */
  async applyMany(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
    const studies = events.filter((e) => e.type === IMAGING_STUDY_RECORDED);
    if (studies.length > 0) await applyStudies(sql, studies);
    for (const event of events) if (event.type !== IMAGING_STUDY_RECORDED) await applyReport(sql, event);
  },
  async apply(sql: SqlExecutor, event: RecordedEvent): Promise<void> {
    if (event.type === IMAGING_STUDY_RECORDED) await applyStudy(sql, event);
    else await applyReport(sql, event);
  },
};
