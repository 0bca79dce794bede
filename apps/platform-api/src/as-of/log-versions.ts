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
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type ImagingReportRecordedV1,
  type ImagingStudyRecordedV1,
  LAB_REPORT_RECORDED,
  labReportOf,
  ORDER_RECORDED,
  type OrderRecordedV1,
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
      const data = labReportOf(e);
      const meta = { versionId: String(Number(e.streamPosition) + 1), lastUpdated: e.recordedAt };
      return {
        resource: { ...data.report, meta },
        observations: data.observations.map((o) => ({ ...o, meta })),
        patientKey: e.metadata.patientKey ?? '',
        event: eventOf(e),
      };
    });
}

export interface ImagingVersions {
  readonly studies: LogVersion<fhir4.ImagingStudy>[];
  /** Imaging reports: DiagnosticReports, served with the lab reports. */
  readonly reports: LogVersion<fhir4.DiagnosticReport>[];
}

/** Every version of the studies and imaging reports of an imaging stream, oldest first
 * (recorded by `at`), numbered per resource id as the imaging projection numbers them. */
export function imagingVersions(events: readonly RecordedEvent[], at?: string): ImagingVersions {
  const out: ImagingVersions = { studies: [], reports: [] };
  const counts = new Map<string, number>();
  const version = (key: string) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n;
  };
  for (const e of events) {
    if (at && !recordedBy(e, at)) break;
    const meta = (n: number): fhir4.Meta => ({ versionId: String(n), lastUpdated: e.recordedAt });
    const patientKey = e.metadata.patientKey ?? '';
    if (e.type === IMAGING_STUDY_RECORDED) {
      const study = (e.data as ImagingStudyRecordedV1).study;
      const n = version(`ImagingStudy/${study.id}`);
      out.studies.push({ resource: { ...study, meta: meta(n) }, patientKey, event: eventOf(e) });
    } else if (e.type === IMAGING_REPORT_RECORDED) {
      const report = (e.data as ImagingReportRecordedV1).report;
      const n = version(`DiagnosticReport/${report.id}`);
      out.reports.push({ resource: { ...report, meta: meta(n) }, patientKey, event: eventOf(e) });
    }
  }
  return out;
}

/** The latest version of each resource id (log order). */
export function latestById<T extends fhir4.Resource>(versions: readonly LogVersion<T>[]): LogVersion<T>[] {
  return [...new Map(versions.map((v) => [v.resource.id, v])).values()];
}

/** Every version of an order's ServiceRequest, oldest first (recorded by `at`), numbered as
 * the orders projection numbers them (each `OrderRecorded` one more). */
export function orderVersions(
  events: readonly RecordedEvent[],
  at?: string,
): LogVersion<fhir4.ServiceRequest>[] {
  const out: LogVersion<fhir4.ServiceRequest>[] = [];
  for (const e of events) {
    if (at && !recordedBy(e, at)) break;
    if (e.type !== ORDER_RECORDED) continue;
    const meta = { versionId: String(out.length + 1), lastUpdated: e.recordedAt };
    const resource = { ...(e.data as OrderRecordedV1).serviceRequest, meta };
    out.push({ resource, patientKey: e.metadata.patientKey ?? '', event: eventOf(e) });
  }
  return out;
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
