/**
 * The read models behind the recognition indicators (issue 12), rebuilt from the log:
 *
 * - `rm_recognition_decisions`: per decision stream (institution × result × encounter) the
 *   decision in force — its latest version: a doctor who first declined and then recognised
 *   counts once, as recognised;
 * - `rm_recognition_retrievals`: retrievals (调阅) per retrieving institution, Shanghai day,
 *   performer and channel, with the last serial issued.
 */
import {
  RECOGNITION_DECISION_RECORDED,
  RESULT_RETRIEVED,
  type RecognitionDecisionRecordedV1,
  type RecordedEvent,
  type ResultRetrievedV1,
} from '@yilian/contracts';
import type { SqlExecutor } from '@yilian/results';
import { shanghaiDay } from '../days';

export const RECOGNITION_INDICATORS_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_recognition_decisions (
  stream        text PRIMARY KEY,
  version       int NOT NULL,
  institution   text NOT NULL,
  performer     text NOT NULL,
  patient_key   text,
  encounter     text,
  result_stream text NOT NULL,
  resource      text NOT NULL,
  decision      text NOT NULL,
  reason_system text,
  reason_code   text,
  items         jsonb NOT NULL,
  saved_yuan    numeric NOT NULL,
  scope         text NOT NULL,
  day           date NOT NULL,
  decided_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_recognition_decisions_day ON rm_recognition_decisions (day, institution);
CREATE TABLE IF NOT EXISTS rm_recognition_retrievals (
  institution  text NOT NULL,
  day          date NOT NULL,
  performer    text NOT NULL,
  channel      text NOT NULL,
  retrievals   int NOT NULL,
  last_serial  text NOT NULL,
  PRIMARY KEY (institution, day, performer, channel)
);
`;

async function applyDecisions(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  // per stream, the batch's last version is the one in force
  const latest = new Map<string, RecordedEvent>();
  for (const e of events) latest.set(e.stream, e);
  const rows = [...latest.values()].map((e) => {
    const d = e.data as RecognitionDecisionRecordedV1;
    const saved = d.decision === 'recognised' ? d.items.reduce((sum, i) => sum + (i.priceYuan ?? 0), 0) : 0;
    return {
      stream: e.stream,
      version: d.version,
      institution: d.institution,
      performer: d.performer,
      patient_key: e.metadata.patientKey ?? null,
      encounter: d.encounter ?? null,
      result_stream: d.resultStream,
      resource: d.resource,
      decision: d.decision,
      reason_system: d.reason?.system ?? null,
      reason_code: d.reason?.code ?? null,
      items: d.items,
      saved_yuan: saved,
      scope: d.scope.code,
      day: shanghaiDay(d.decidedAt),
      decided_at: d.decidedAt,
    };
  });
  await sql.query(
    `INSERT INTO rm_recognition_decisions AS t (stream, version, institution, performer, patient_key, encounter, result_stream,
       resource, decision, reason_system, reason_code, items, saved_yuan, scope, day, decided_at)
     SELECT x.stream, x.version, x.institution, x.performer, x.patient_key, x.encounter, x.result_stream, x.resource, x.decision,
       x.reason_system, x.reason_code, x.items, x.saved_yuan, x.scope, x.day, x.decided_at
     FROM jsonb_to_recordset($1::jsonb) AS x(stream text, version int, institution text, performer text, patient_key text,
       encounter text, result_stream text, resource text, decision text, reason_system text, reason_code text, items jsonb,
       saved_yuan numeric, scope text, day date, decided_at timestamptz)
     ON CONFLICT (stream) DO UPDATE SET version = excluded.version, decision = excluded.decision,
       reason_system = excluded.reason_system, reason_code = excluded.reason_code, items = excluded.items,
       saved_yuan = excluded.saved_yuan, scope = excluded.scope, day = excluded.day, decided_at = excluded.decided_at
     WHERE t.version < excluded.version`,
    [JSON.stringify(rows)],
  );
}

async function applyRetrievals(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const counts = new Map<
    string,
    {
      institution: string;
      day: string;
      performer: string;
      channel: string;
      retrievals: number;
      last_serial: string;
    }
  >();
  for (const e of events) {
    const d = e.data as ResultRetrievedV1;
    const key = `${d.institution}\u0000${d.day}\u0000${d.performer}\u0000${d.channel}`;
    const c = counts.get(key);
    if (c) {
      c.retrievals += 1;
      if (d.serial > c.last_serial) c.last_serial = d.serial;
    } else
      counts.set(key, {
        institution: d.institution,
        day: d.day,
        performer: d.performer,
        channel: d.channel,
        retrievals: 1,
        last_serial: d.serial,
      });
  }
  await sql.query(
    `INSERT INTO rm_recognition_retrievals AS t (institution, day, performer, channel, retrievals, last_serial)
     SELECT x.institution, x.day, x.performer, x.channel, x.retrievals, x.last_serial
     FROM jsonb_to_recordset($1::jsonb) AS x(institution text, day date, performer text, channel text, retrievals int, last_serial text)
     ON CONFLICT (institution, day, performer, channel) DO UPDATE SET retrievals = t.retrievals + excluded.retrievals,
       last_serial = GREATEST(t.last_serial, excluded.last_serial)`,
    [JSON.stringify([...counts.values()])],
  );
}

async function applyMany(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  await applyDecisions(
    sql,
    events.filter((e) => e.type === RECOGNITION_DECISION_RECORDED),
  );
  await applyRetrievals(
    sql,
    events.filter((e) => e.type === RESULT_RETRIEVED),
  );
}

export const recognitionIndicatorsProjection = {
  name: 'recognition-indicators',
  ddl: RECOGNITION_INDICATORS_DDL,
  canHandle: (event: RecordedEvent): boolean =>
    event.type === RECOGNITION_DECISION_RECORDED || event.type === RESULT_RETRIEVED,
  apply: (sql: SqlExecutor, event: RecordedEvent): Promise<void> => applyMany(sql, [event]),
  applyMany,
};
