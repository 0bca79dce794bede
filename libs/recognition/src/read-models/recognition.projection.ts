/**
 * The recognition read models, rebuilt from the log like every other:
 *
 * - `rm_recognition_rules`: every rule fact (scope, catalogue, quality status, code map) and the
 *   alliance membership events, with when they were recorded — the RulesBook folds them as of
 *   any moment;
 * - `rm_recognition_results`: every version of every lab report and imaging study, what
 *   recognition judges (codes, values, modalities, body sites), with the instant it was recorded
 *   and the instant a later version superseded it — so "the result as the hub knew it at T" is
 *   one indexed query;
 * - `rm_recognition_codes`: every code each institution's results carried, for the report of
 *   codes no catalogue item matches.
 */
import { ALLIANCE_EVENT_TYPES, RECOGNITION_RULE_EVENT_TYPES, type RecordedEvent } from '@yilian/contracts';
import type { SqlExecutor } from '@yilian/results';
import { RESULT_EVENT_TYPES, resultRecordOf, type ResultRecord } from '../result-record';

export const RECOGNITION_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_recognition_rules (
  event_id     uuid PRIMARY KEY,
  commit_pos   numeric NOT NULL,
  prepare_pos  numeric NOT NULL,
  type         text NOT NULL,
  data         jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_recognition_results (
  stream        text NOT NULL,
  version       int NOT NULL,
  patient_key   text NOT NULL,
  performer     text NOT NULL,
  kind          text NOT NULL,
  status        text NOT NULL,
  effective     timestamptz NOT NULL,
  record        json NOT NULL,
  recorded_at   timestamptz NOT NULL,
  superseded_at timestamptz,
  PRIMARY KEY (stream, version)
);
-- \`record\` is read whole, by the hub, never searched inside: json (text, checked) costs a
-- fraction of jsonb's parse on the way in and its rendering on the way out. Read models of
-- before 2026-12-08 had jsonb: converted once.
DO $migrate$ BEGIN
  IF (SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()
      AND table_name = 'rm_recognition_results' AND column_name = 'record') = 'jsonb' THEN
    ALTER TABLE rm_recognition_results ALTER COLUMN record TYPE json USING record::json;
  END IF;
END $migrate$;
CREATE INDEX IF NOT EXISTS rm_recognition_results_patient ON rm_recognition_results (patient_key, recorded_at);
CREATE TABLE IF NOT EXISTS rm_recognition_codes (
  performer   text NOT NULL,
  kind        text NOT NULL,
  system      text NOT NULL,
  code        text NOT NULL,
  display     text,
  results     int NOT NULL,
  last_seen   timestamptz NOT NULL,
  PRIMARY KEY (performer, kind, system, code)
);
`;

const RULE_TYPES: ReadonlySet<string> = new Set([...RECOGNITION_RULE_EVENT_TYPES, ...ALLIANCE_EVENT_TYPES]);
const RESULT_TYPES: ReadonlySet<string> = new Set(RESULT_EVENT_TYPES);

async function applyRules(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql.query(
    `INSERT INTO rm_recognition_rules (event_id, commit_pos, prepare_pos, type, data, recorded_at)
     SELECT x.event_id, x.commit_pos, x.prepare_pos, x.type, x.data, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, commit_pos numeric, prepare_pos numeric, type text,
       data jsonb, recorded_at timestamptz)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      JSON.stringify(
        events.map((e) => ({
          event_id: e.id,
          commit_pos: e.position.commit.toString(),
          prepare_pos: e.position.prepare.toString(),
          type: e.type,
          data: e.data,
          recorded_at: e.recordedAt,
        })),
      ),
    ],
  );
}

async function applyResults(sql: SqlExecutor, records: readonly ResultRecord[]): Promise<void> {
  if (records.length === 0) return;
  // a later version supersedes the earlier ones at the instant it was recorded (per stream, the
  // batch's first version: an UPDATE … FROM must match each row once); a stream's first
  // version supersedes nothing
  const firsts = [...new Map([...records].reverse().map((r) => [r.stream, r])).values()].filter(
    (r) => r.version > 1,
  );
  if (firsts.length > 0)
    await sql.query(
      `UPDATE rm_recognition_results r SET superseded_at = x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(stream text, version int, recorded_at timestamptz)
     WHERE r.stream = x.stream AND r.version < x.version AND r.superseded_at IS NULL`,
      [
        JSON.stringify(
          firsts.map((r) => ({
            stream: r.stream,
            version: r.version,
            recorded_at: r.recordedAt,
          })),
        ),
      ],
    );
  // within the batch: each version but a stream's last is superseded by the next
  const next = new Map<string, string>();
  const rows = [...records].reverse().map((r) => {
    const supersededAt = next.get(r.stream) ?? null;
    next.set(r.stream, r.recordedAt);
    return {
      stream: r.stream,
      version: r.version,
      patient_key: r.patientKey,
      performer: r.performer,
      kind: r.kind,
      status: r.status,
      effective: r.effective,
      record: r,
      recorded_at: r.recordedAt,
      superseded_at: supersededAt,
    };
  });
  await sql.query(
    `INSERT INTO rm_recognition_results (stream, version, patient_key, performer, kind, status, effective, record, recorded_at, superseded_at)
     SELECT x.stream, x.version, x.patient_key, x.performer, x.kind, x.status, x.effective, x.record, x.recorded_at, x.superseded_at
     FROM json_to_recordset($1::json) AS x(stream text, version int, patient_key text, performer text, kind text,
       status text, effective timestamptz, record json, recorded_at timestamptz, superseded_at timestamptz)
     ON CONFLICT (stream, version) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  const codes = new Map<
    string,
    {
      performer: string;
      kind: string;
      system: string;
      code: string;
      display: string | null;
      results: number;
      last_seen: string;
    }
  >();
  for (const r of records)
    for (const line of r.lines)
      for (const c of line.codings) {
        const key = `${r.performer}\u0000${r.kind}\u0000${c.system ?? ''}\u0000${c.code}`;
        const seen = codes.get(key);
        if (seen) {
          seen.results += 1;
          if (r.recordedAt > seen.last_seen) seen.last_seen = r.recordedAt;
          seen.display ??= c.display ?? null;
        } else
          codes.set(key, {
            performer: r.performer,
            kind: r.kind,
            system: c.system ?? '',
            code: c.code,
            display: c.display ?? null,
            results: 1,
            last_seen: r.recordedAt,
          });
      }
  if (codes.size === 0) return;
  await sql.query(
    `INSERT INTO rm_recognition_codes (performer, kind, system, code, display, results, last_seen)
     SELECT x.performer, x.kind, x.system, x.code, x.display, x.results, x.last_seen
     FROM jsonb_to_recordset($1::jsonb) AS x(performer text, kind text, system text, code text, display text,
       results int, last_seen timestamptz)
     ON CONFLICT (performer, kind, system, code) DO UPDATE SET
       results = rm_recognition_codes.results + excluded.results,
       display = COALESCE(rm_recognition_codes.display, excluded.display),
       last_seen = GREATEST(rm_recognition_codes.last_seen, excluded.last_seen)`,
    [JSON.stringify([...codes.values()])],
  );
}

async function applyMany(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  await applyRules(
    sql,
    events.filter((e) => RULE_TYPES.has(e.type)),
  );
  await applyResults(
    sql,
    events.flatMap((e) => {
      const r = RESULT_TYPES.has(e.type) ? resultRecordOf(e) : undefined;
      return r ? [r] : [];
    }),
  );
}

export const recognitionProjection = {
  name: 'recognition',
  ddl: RECOGNITION_DDL,
  weight: 1,
  canHandle: (event: RecordedEvent): boolean => RULE_TYPES.has(event.type) || RESULT_TYPES.has(event.type),
  apply: (sql: SqlExecutor, event: RecordedEvent): Promise<void> => applyMany(sql, [event]),
  applyMany,
};
