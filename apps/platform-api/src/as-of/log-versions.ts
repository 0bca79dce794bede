/**
 * Versions of resources folded from their streams in the log — what `_history` and as-of reads
 * answer. The FHIR comes from where the read models take it: a lab report's version is the
 * DiagnosticReport and Observations its `LabReportRecorded` carries (meta as the lab-report
 * projection sets it: versionId = stream revision + 1, lastUpdated = recorded time); a referral's
 * versions are `referralToServiceRequest` / `referralToTask` of the state after each event,
 * numbered as the referral-fhir projection numbers them (a ServiceRequest version only when it
 * changed). Each version says which event made it.
 */
import {
  canonicalJson,
  type fhir4,
  LAB_REPORT_RECORDED,
  type LabReportRecordedV1,
  parseReferralEvent,
  type RecordedEvent,
} from '@yilian/contracts';
import {
  evolveReferral,
  initialReferralState,
  referralToServiceRequest,
  referralToTask,
} from '@yilian/referrals';
import { recordedBy } from './as-of-instant';

/** One version of a resource and the event that made it. */
export interface LogVersion<T extends fhir4.Resource = fhir4.Resource> {
  readonly resource: T;
  readonly patientKey: string;
  readonly event: { readonly id: string; readonly type: string; readonly recordedAt: string };
}

export interface LabReportVersion extends LogVersion<fhir4.DiagnosticReport> {
  readonly observations: readonly fhir4.Observation[];
}

const eventOf = (e: RecordedEvent) => ({ id: e.id, type: e.type, recordedAt: e.recordedAt });

/** Every version of a lab report stream, oldest first (recorded by `at`, when given). */
export function labReportVersions(events: readonly RecordedEvent[], at?: string): LabReportVersion[] {
  return events
    .filter((e) => e.type === LAB_REPORT_RECORDED && (!at || recordedBy(e, at)))
    .map((e) => {
      const data = e.data as LabReportRecordedV1;
      const meta = { versionId: String(Number(e.streamPosition) + 1), lastUpdated: e.recordedAt };
      return {
        resource: { ...data.report, meta },
        observations: data.observations.map((o) => ({ ...o, meta })),
        patientKey: e.metadata.patientKey ?? '',
        event: eventOf(e),
      };
    });
}

export interface ReferralVersions {
  readonly serviceRequest: LogVersion<fhir4.ServiceRequest>[];
  readonly task: LogVersion<fhir4.Task>[];
}

/** Every version of a referral's ServiceRequest and Task, oldest first (recorded by `at`). */
export function referralVersions(events: readonly RecordedEvent[], at?: string): ReferralVersions {
  const out: ReferralVersions = { serviceRequest: [], task: [] };
  let state = initialReferralState();
  let lastRequest: string | undefined;
  for (const e of events) {
    if (at && !recordedBy(e, at)) break;
    const parsed = parseReferralEvent(e);
    if (!parsed.ok) throw new Error(`${e.stream}: invalid ${e.type}: ${parsed.problems[0]}`);
    const next = evolveReferral(state, parsed.event);
    if (next.status === 'none' || next === state) continue;
    state = next;
    const meta = (version: number): fhir4.Meta => ({ versionId: String(version), lastUpdated: e.recordedAt });
    const patientKey = next.request.patientKey;
    const built = referralToServiceRequest(next);
    if (canonicalJson(built) !== lastRequest) {
      lastRequest = canonicalJson(built);
      out.serviceRequest.push({
        resource: { ...built, meta: meta(out.serviceRequest.length + 1) },
        patientKey,
        event: eventOf(e),
      });
    }
    out.task.push({
      resource: { ...referralToTask(next), meta: meta(out.task.length + 1) },
      patientKey,
      event: eventOf(e),
    });
  }
  return out;
}

export const EVENT_TYPE_SYSTEM = 'https://fhir.yilian.cn/CodeSystem/event-type';

/** The version as `_history` shows it: `meta.source` the event's id, a tag its type. */
export function withEvent<T extends fhir4.Resource>(v: LogVersion<T>): T {
  return {
    ...v.resource,
    meta: {
      ...v.resource.meta,
      source: `urn:uuid:${v.event.id}`,
      tag: [{ system: EVENT_TYPE_SYSTEM, code: v.event.type }],
    },
  };
}
