import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { type fhir4, patientStream, referralStream } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { type IdentityAsOf, identityAsOf, IdentityIndex, linksAfterEach } from './identity-as-of';
import {
  imagingVersions,
  type LabReportVersion,
  labReportVersions,
  latestById,
  type LogVersion,
  orderVersions,
  referralVersions,
} from './log-versions';

/** Newest first by a FHIR dateTime (undefined last). */
export function newest(a: string | undefined, b: string | undefined): number {
  return (b ? Date.parse(b) : -Infinity) - (a ? Date.parse(a) : -Infinity) || 0;
}

/** A patient as the hub knew them at an instant: who they were (identity links) and each of
 * their lab reports and referrals at its version of then. */
export interface PatientAsOf {
  readonly at: string;
  readonly identity: IdentityAsOf;
  readonly reports: readonly LabReportVersion[];
  readonly imagingReports: readonly LogVersion<fhir4.DiagnosticReport>[];
  readonly studies: readonly LogVersion<fhir4.ImagingStudy>[];
  readonly serviceRequests: readonly LogVersion<fhir4.ServiceRequest>[];
  readonly tasks: readonly LogVersion<fhir4.Task>[];
}

/**
 * As-of reads and `_history` from the log (docs/as-of.md). The read models serve only as an
 * index — which streams ever belonged to a key (`rm_lab_reports.stream`,
 * `rm_referral_fhir.referral_id`, `rm_orders.stream`) — and the answer is folded from the streams' events recorded
 * at or before the instant. Needs the event store (platform-api's `store` option; the hub
 * passes it): without it 501.
 */
@Injectable()
export class AsOfService implements OnModuleDestroy {
  private readonly index?: IdentityIndex;

  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Optional() @Inject(EVENT_STORE) private readonly eventStore?: EventStore,
  ) {
    if (eventStore) this.index = new IdentityIndex(eventStore);
  }

  async onModuleDestroy(): Promise<void> {
    await this.index?.stop();
  }

  /** The store, or 501 with an OperationOutcome (naming the parameter that needs it, if any). */
  store(parameter?: string): { store: EventStore; index: IdentityIndex } {
    if (!this.eventStore || !this.index)
      throw FhirHttpError.of(
        501,
        'not-supported',
        'this platform-api has no event store (EVENT_STORE_URL): it cannot answer from the log',
        parameter,
      );
    return { store: this.eventStore, index: this.index };
  }

  async patient(key: string, at: string): Promise<PatientAsOf> {
    const { store, index } = this.store('_at');
    const identity = await identityAsOf(store, index, key, at);
    const keys = new Set(identity.keys);
    const [results, referrals, orders] = await Promise.all([
      this.pool.query<{ stream: string }>(
        `SELECT stream FROM rm_lab_reports WHERE patient_key = ANY($1::text[])
         UNION SELECT stream FROM rm_imaging_studies WHERE patient_key = ANY($1::text[]) ORDER BY stream`,
        [identity.keys],
      ),
      this.pool.query<{ referral_id: string }>(
        'SELECT referral_id FROM rm_referral_fhir WHERE patient_key = ANY($1::text[]) ORDER BY referral_id',
        [identity.keys],
      ),
      this.pool.query<{ stream: string }>(
        'SELECT stream FROM rm_orders WHERE patient_key = ANY($1::text[]) ORDER BY stream',
        [identity.keys],
      ),
    ]);
    const theirs = <T extends { patientKey: string }>(v: T | undefined): v is T =>
      v !== undefined && keys.has(v.patientKey);
    const reports: LabReportVersion[] = [];
    const imagingReports: LogVersion<fhir4.DiagnosticReport>[] = [];
    const studies: LogVersion<fhir4.ImagingStudy>[] = [];
    for (const { stream } of results.rows) {
      const events = await store.readStream(stream);
      const lab = labReportVersions(events, at).at(-1);
      if (theirs(lab)) reports.push(lab);
      const imaging = imagingVersions(events, at);
      imagingReports.push(...latestById(imaging.reports).filter(theirs));
      studies.push(...latestById(imaging.studies).filter(theirs));
    }
    const serviceRequests: LogVersion<fhir4.ServiceRequest>[] = [];
    const tasks: LogVersion<fhir4.Task>[] = [];
    for (const { referral_id } of referrals.rows) {
      const then = referralVersions(await store.readStream(referralStream(referral_id)), at);
      const sr = then.serviceRequest.at(-1);
      const task = then.task.at(-1);
      if (sr && keys.has(sr.patientKey)) serviceRequests.push(sr);
      if (task && keys.has(task.patientKey)) tasks.push(task);
    }
    for (const { stream } of orders.rows) {
      const order = orderVersions(await store.readStream(stream), at).at(-1);
      if (theirs(order)) serviceRequests.push(order);
    }
    reports.sort((a, b) => newest(a.resource.issued, b.resource.issued));
    imagingReports.sort((a, b) => newest(a.resource.issued, b.resource.issued));
    studies.sort((a, b) => newest(a.resource.started, b.resource.started));
    serviceRequests.sort((a, b) => newest(a.resource.authoredOn, b.resource.authoredOn));
    tasks.sort((a, b) => newest(a.resource.authoredOn, b.resource.authoredOn));
    return { at, identity, reports, imagingReports, studies, serviceRequests, tasks };
  }

  /** Every version of a DiagnosticReport (lab or imaging) from its stream, oldest first. */
  async reportVersions(reportId: string): Promise<LogVersion<fhir4.DiagnosticReport>[]> {
    const { store } = this.store();
    const { rows } = await this.pool.query<{ stream: string }>(
      'SELECT stream FROM rm_lab_reports WHERE id = $1',
      [reportId],
    );
    if (!rows[0]) return [];
    const events = await store.readStream(rows[0].stream);
    const lab = labReportVersions(events);
    return lab.length > 0 ? lab : imagingVersions(events).reports.filter((v) => v.resource.id === reportId);
  }

  /** Every version of an ImagingStudy from its stream, oldest first. */
  async studyVersions(id: string): Promise<LogVersion<fhir4.ImagingStudy>[]> {
    const { store } = this.store();
    const { rows } = await this.pool.query<{ stream: string }>(
      'SELECT stream FROM rm_imaging_studies WHERE id = $1',
      [id],
    );
    if (!rows[0]) return [];
    return imagingVersions(await store.readStream(rows[0].stream)).studies.filter(
      (v) => v.resource.id === id,
    );
  }

  /** Every version of an Observation: each version of its report that holds it. */
  async observationVersions(id: string): Promise<LogVersion<fhir4.Observation>[]> {
    this.store();
    const { rows } = await this.pool.query<{ report_id: string }>(
      'SELECT report_id FROM rm_observations WHERE id = $1',
      [id],
    );
    if (!rows[0]) return [];
    const stream = await this.pool.query<{ stream: string }>(
      'SELECT stream FROM rm_lab_reports WHERE id = $1',
      [rows[0].report_id],
    );
    if (!stream.rows[0]) return [];
    const { store } = this.store();
    return labReportVersions(await store.readStream(stream.rows[0].stream)).flatMap((v) => {
      const o = v.observations.find((x) => x.id === id);
      return o ? [{ resource: o, patientKey: v.patientKey, event: v.event }] : [];
    });
  }

  /** Every version of a key's Patient from its identity stream: after each event, where the key
   * pointed (`link` replaced-by / seealso). Links of other keys to it are in their streams. */
  async patientVersions(key: string): Promise<LogVersion<fhir4.Patient>[]> {
    const { store } = this.store();
    return linksAfterEach(key, await store.readStream(patientStream(key))).map(({ event, link }) => ({
      resource: {
        resourceType: 'Patient',
        id: key,
        meta: { versionId: String(Number(event.streamPosition) + 1), lastUpdated: event.recordedAt },
        ...(link
          ? {
              link: [
                {
                  other: { reference: `Patient/${link.target}` },
                  type: link.via === 'merge' ? ('replaced-by' as const) : ('seealso' as const),
                },
              ],
            }
          : {}),
      },
      patientKey: key,
      event: { id: event.id, type: event.type, recordedAt: event.recordedAt },
    }));
  }
}
