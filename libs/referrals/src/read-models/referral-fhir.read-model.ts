/**
 * ServiceRequest and Task of every referral, current and every version, for FHIR search, read
 * and `_history`. Each event makes a new Task version (the workflow moved); the ServiceRequest
 * gets a new version only when what it says changed. Versions carry the event's recordedAt as
 * lastUpdated, so a rebuild from the log writes the same rows.
 */
import { canonicalJson, type fhir4 } from '@yilian/contracts';
import type { ProjectedEvent, SqlExecutor } from '@yilian/alliance';
import { isReferralEventType, parseReferralEvent } from '../contracts';
import { referralToServiceRequest, referralToTask } from '../referral-fhir.resources';
import { evolveReferral, initialReferralState, type ReferralState } from '../referral.state';

export const REFERRAL_FHIR_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_referral_fhir (
  referral_id      text PRIMARY KEY,
  patient_key      text NOT NULL,
  requester        text NOT NULL,
  performer        text NOT NULL,
  sr_status        text NOT NULL,
  task_status      text NOT NULL,
  business_status  text NOT NULL,
  authored_on      timestamptz NOT NULL,
  state            jsonb NOT NULL,
  sr_version       int NOT NULL,
  task_version     int NOT NULL,
  service_request  jsonb NOT NULL,
  task             jsonb NOT NULL,
  last_updated     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_referral_fhir_patient ON rm_referral_fhir (patient_key, authored_on DESC);
CREATE INDEX IF NOT EXISTS rm_referral_fhir_requester ON rm_referral_fhir (requester, authored_on DESC);
CREATE INDEX IF NOT EXISTS rm_referral_fhir_performer ON rm_referral_fhir (performer, authored_on DESC);
CREATE TABLE IF NOT EXISTS rm_referral_fhir_versions (
  resource_type  text NOT NULL,
  id             text NOT NULL,
  version        int NOT NULL,
  resource       jsonb NOT NULL,
  recorded_at    timestamptz NOT NULL,
  PRIMARY KEY (resource_type, id, version)
);
`;

interface Current {
  readonly state: ReferralState;
  readonly srVersion: number;
  readonly taskVersion: number;
  readonly serviceRequest: fhir4.ServiceRequest | undefined;
}

const withoutMeta = <T extends fhir4.Resource>(r: T | undefined) =>
  r ? { ...r, meta: undefined } : undefined;

async function current(sql: SqlExecutor, referralId: string): Promise<Current> {
  const { rows } = await sql.query<{
    state: ReferralState;
    sr_version: number;
    task_version: number;
    service_request: fhir4.ServiceRequest;
  }>('SELECT state, sr_version, task_version, service_request FROM rm_referral_fhir WHERE referral_id = $1', [
    referralId,
  ]);
  const row = rows[0];
  if (!row) return { state: initialReferralState(), srVersion: 0, taskVersion: 0, serviceRequest: undefined };
  return {
    state: row.state,
    srVersion: row.sr_version,
    taskVersion: row.task_version,
    serviceRequest: row.service_request,
  };
}

export const referralFhirProjection = {
  name: 'referral-fhir',
  ddl: REFERRAL_FHIR_DDL,
  canHandle: (event: { readonly type: string }): boolean => isReferralEventType(event.type),

  async apply(sql: SqlExecutor, recorded: ProjectedEvent & { readonly recordedAt: string }): Promise<void> {
    const parsed = parseReferralEvent(recorded);
    if (!parsed.ok) throw new Error(`${recorded.stream}: invalid ${recorded.type}: ${parsed.problems[0]}`);
    const before = await current(sql, parsed.event.data.referralId);
    const state = evolveReferral(before.state, parsed.event);
    if (state.status === 'none' || state === before.state) return;
    const built = referralToServiceRequest(state);
    const srChanged = canonicalJson(built) !== canonicalJson(withoutMeta(before.serviceRequest));
    const srVersion = srChanged ? before.srVersion + 1 : before.srVersion;
    const taskVersion = before.taskVersion + 1;
    const meta = (version: number): fhir4.Meta => ({
      versionId: String(version),
      lastUpdated: recorded.recordedAt,
    });
    const serviceRequest = srChanged ? { ...built, meta: meta(srVersion) } : before.serviceRequest!;
    const task = { ...referralToTask(state), meta: meta(taskVersion) };
    await sql.query(
      `INSERT INTO rm_referral_fhir (referral_id, patient_key, requester, performer, sr_status, task_status,
         business_status, authored_on, state, sr_version, task_version, service_request, task, last_updated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (referral_id) DO UPDATE SET sr_status = $5, task_status = $6, business_status = $7,
         state = $9, sr_version = $10, task_version = $11, service_request = $12, task = $13, last_updated = $14`,
      [
        state.request.referralId,
        state.request.patientKey,
        state.request.sender,
        state.request.receiver,
        serviceRequest.status,
        task.status,
        state.status,
        state.request.requestedAt,
        state,
        srVersion,
        taskVersion,
        serviceRequest,
        task,
        recorded.recordedAt,
      ],
    );
    const version = `INSERT INTO rm_referral_fhir_versions (resource_type, id, version, resource, recorded_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`;
    if (srChanged)
      await sql.query(version, ['ServiceRequest', built.id, srVersion, serviceRequest, recorded.recordedAt]);
    await sql.query(version, ['Task', task.id, taskVersion, task, recorded.recordedAt]);
  },
};
