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

/** Resolves a reference as the sender wrote it (`urn:uuid:…`, `#id`, `Observation/x`) to the
 * resource object it names in the submission. */
export type SubmissionResolver = (reference: string) => object | undefined;

const EXTRACTED = new Set(['Observation', 'Specimen', 'Patient']);

/**
 * Gives the report and its parts the hub's ids and points them at the hub patient (by patient
 * key, never an identifier) and at the performing institution — the authenticated sender, never
 * what the body claims. References between the parts (Observation.specimen, hasMember,
 * derivedFrom) are rewritten to the new ids. Codes, values and everything else stay as sent.
 */
export function normalizeLabReport(input: {
  performer: string;
  accession: string;
  patientKey: string;
  report: fhir4.DiagnosticReport;
  observations: readonly fhir4.Observation[];
  specimens?: readonly fhir4.Specimen[];
  resolve?: SubmissionResolver;
}): NormalizedLabReport {
  const id = labReportId(input.performer, input.accession);
  const subject: fhir4.Reference = { reference: `Patient/${input.patientKey}` };
  const performerRef: fhir4.Reference = { reference: `Organization/${input.performer}` };
  const newRef = new Map<object, string>();
  input.observations.forEach((o, i) => newRef.set(o, `Observation/${`${id}.o${i + 1}`.slice(0, 64)}`));
  (input.specimens ?? []).forEach((s, i) => newRef.set(s, `Specimen/${`${id}.s${i + 1}`.slice(0, 64)}`));
  const rewrite = (ref: fhir4.Reference): fhir4.Reference => {
    const target = ref.reference ? input.resolve?.(ref.reference) : undefined;
    const to = target ? newRef.get(target) : undefined;
    return to ? { ...ref, reference: to } : ref;
  };
  const rewriteAll = (refs: fhir4.Reference[] | undefined) => (refs ? refs.map(rewrite) : undefined);

  // Copied, then assigned: a literal with conditional spreads cost ≈4 µs per Observation in the
  // running intake. Keys keep their order either way (a key the sender gave stays where it was, a
  // new one comes last), so the stored text, and its hash, are the same.
  const observations = input.observations.map((o) => {
    const copy: fhir4.Observation = { ...o };
    copy.id = newRef.get(o)!.slice('Observation/'.length);
    copy.subject = subject;
    copy.performer = [performerRef];
    if (o.specimen) copy.specimen = rewrite(o.specimen);
    if (o.hasMember) copy.hasMember = rewriteAll(o.hasMember);
    if (o.derivedFrom) copy.derivedFrom = rewriteAll(o.derivedFrom);
    return copy;
  });
  const specimens = (input.specimens ?? []).map((s) => ({
    ...s,
    id: newRef.get(s)!.slice('Specimen/'.length),
    subject,
  }));
  const contained = input.report.contained?.filter((r) => !EXTRACTED.has(r.resourceType));
  const { contained: _dropped, ...reportRest } = input.report;
  const report: fhir4.DiagnosticReport = {
    ...reportRest,
    ...(contained && contained.length > 0 ? { contained } : {}),
    id,
    subject,
    performer: [performerRef],
    result:
      input.resolve && input.report.result
        ? input.report.result.map(rewrite)
        : observations.map((o) => ({ reference: `Observation/${o.id}` })),
    ...(specimens.length > 0 ? { specimen: specimens.map((s) => ({ reference: `Specimen/${s.id}` })) } : {}),
  };
  return { report, observations, specimens };
}

/** A resolver over resources that carry their own ids: `Type/id`, `urn:uuid:id` and `#id` (the
 * last resource with that id, for the two untyped forms). */
export function resolverByIds(resources: readonly fhir4.Resource[]): SubmissionResolver {
  const byId = new Map<string, fhir4.Resource[]>();
  for (const r of resources) {
    if (!r.id) continue;
    const same = byId.get(r.id);
    if (same) same.push(r);
    else byId.set(r.id, [r]);
  }
  return (reference) => {
    if (reference.startsWith('urn:uuid:')) return byId.get(reference.slice(9))?.at(-1);
    if (reference.startsWith('#')) return byId.get(reference.slice(1))?.at(-1);
    const slash = reference.indexOf('/');
    if (slash < 1) return undefined;
    const type = reference.slice(0, slash);
    return byId.get(reference.slice(slash + 1))?.findLast((r) => r.resourceType === type);
  };
}
