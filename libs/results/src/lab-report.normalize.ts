import { createHash } from 'node:crypto';
import type { fhir4 } from '@yilian/contracts';

/** FHIR ids allow [A-Za-z0-9-.]{1,64}; a report id is readable where it can be. */
export function labReportId(performer: string, accession: string): string {
  const readable = `${performer}.${accession}`;
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(readable)) return readable;
  return `lr-${createHash('sha256').update(`${performer}\u001f${accession}`).digest('hex').slice(0, 40)}`;
}

export interface NormalizedLabReport {
  readonly report: fhir4.DiagnosticReport;
  readonly observations: fhir4.Observation[];
  readonly specimens: fhir4.Specimen[];
}

/**
 * Gives the report and its parts the hub's ids and points them at the hub patient (by patient
 * key, never an identifier) and at the performing institution — the authenticated sender, never
 * what the body claims. Codes, values and everything else stay as sent.
 */
export function normalizeLabReport(input: {
  performer: string;
  accession: string;
  patientKey: string;
  report: fhir4.DiagnosticReport;
  observations: readonly fhir4.Observation[];
  specimens?: readonly fhir4.Specimen[];
}): NormalizedLabReport {
  const id = labReportId(input.performer, input.accession);
  const subject: fhir4.Reference = { reference: `Patient/${input.patientKey}` };
  const performerRef: fhir4.Reference = { reference: `Organization/${input.performer}` };
  const observations = input.observations.map((o, i) => ({
    ...o,
    id: `${id}.o${i + 1}`.slice(0, 64),
    subject,
    performer: [performerRef],
  }));
  const specimens = (input.specimens ?? []).map((s, i) => ({
    ...s,
    id: `${id}.s${i + 1}`.slice(0, 64),
    subject,
  }));
  const report: fhir4.DiagnosticReport = {
    ...input.report,
    id,
    subject,
    performer: [performerRef],
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
    ...(specimens.length > 0 ? { specimen: specimens.map((s) => ({ reference: `Specimen/${s.id}` })) } : {}),
  };
  return { report, observations, specimens };
}
