/**
 * What a lab report submission carries once read — the DiagnosticReport, its Observations,
 * Specimens and optionally the Patient, each exactly as the sender sent it (codes, ids and
 * references untouched) — and the checks shared by its two forms (transaction Bundle,
 * DiagnosticReport with contained resources): results that resolve, one patient throughout.
 */
import type * as fhir4 from 'fhir/r4';
import { isJsonObject } from './element-path';
import { issue, type ValidationIssue } from './validation-issue';

export interface LabReportContent {
  readonly report: fhir4.DiagnosticReport;
  /** In report order: `result` first, then their `hasMember`s, then any other. */
  readonly observations: readonly fhir4.Observation[];
  readonly specimens: readonly fhir4.Specimen[];
  readonly patient?: fhir4.Patient;
  /** Every resolvable reference of the submission (`urn:uuid:…`, `#id`, full URLs) → the
   * resource it names. */
  readonly resolved: ReadonlyMap<string, fhir4.Resource>;
  /** Where each resource is in the submission (`Bundle.entry[0].resource`), for issue paths;
   * `observations` and `specimens` in the same order as above. */
  readonly paths: {
    readonly report: string;
    readonly observations: readonly string[];
    readonly specimens: readonly string[];
    readonly patient?: string;
  };
}

export type LabReportParse =
  | { readonly ok: true; readonly content: LabReportContent; readonly warnings: readonly ValidationIssue[] }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** A resource of the submission and where it is (`Bundle.entry[3].resource`). */
export interface Located {
  readonly resource: Record<string, unknown>;
  readonly path: string;
  /** fullUrl or `#id`: what a reference to it says. */
  readonly key: string;
}

export type Resolve = (reference: string) => Located | undefined;

function referenceOf(value: unknown): string | undefined {
  return isJsonObject(value) && typeof value.reference === 'string' ? value.reference : undefined;
}

function referencesAt(resource: Record<string, unknown>, element: string): { ref?: string; path: string }[] {
  const value = resource[element];
  if (Array.isArray(value)) return value.map((v, i) => ({ ref: referenceOf(v), path: `.${element}[${i}]` }));
  return value === undefined ? [] : [{ ref: referenceOf(value), path: `.${element}` }];
}

/** Observations in report order; an error for each `result` that does not resolve to one,
 * a warning for each Observation nothing in the report reaches. */
export function orderObservations(
  report: Located,
  observations: readonly Located[],
  resolve: Resolve,
  issues: ValidationIssue[],
): Located[] {
  const ordered: Located[] = [];
  const add = (o: Located | undefined): void => {
    if (o && o.resource.resourceType === 'Observation' && !ordered.includes(o)) ordered.push(o);
  };
  for (const { ref, path } of referencesAt(report.resource, 'result')) {
    const target = ref === undefined ? undefined : resolve(ref);
    if (!target) {
      issues.push(
        issue(
          'error',
          'not-found',
          report.path + path,
          'A result must reference an Observation sent with the report',
        ),
      );
    }
    add(target);
  }
  for (let i = 0; i < ordered.length; i++) {
    for (const { ref } of referencesAt(ordered[i]!.resource, 'hasMember'))
      add(ref ? resolve(ref) : undefined);
  }
  for (const o of observations) {
    if (ordered.includes(o)) continue;
    issues.push(
      issue(
        'warning',
        'invalid',
        o.path,
        'This Observation is not a result (nor a member of one) of the report',
      ),
    );
    ordered.push(o);
  }
  return ordered;
}

/** Specimens in the order of `report.specimen`, then any other. */
export function orderSpecimens(report: Located, specimens: readonly Located[], resolve: Resolve): Located[] {
  const named = referencesAt(report.resource, 'specimen').map(({ ref }) => (ref ? resolve(ref) : undefined));
  const ordered = named.filter((s): s is Located => !!s && specimens.includes(s));
  return [...new Set([...ordered, ...specimens])];
}

function subjectKey(subject: unknown, resolve: Resolve): string | undefined {
  if (!isJsonObject(subject)) return undefined;
  if (typeof subject.reference === 'string') {
    return `ref:${resolve(subject.reference)?.key ?? subject.reference}`;
  }
  const id = subject.identifier;
  return isJsonObject(id) ? `identifier:${String(id.system)}|${String(id.value)}` : undefined;
}

/** The report names its patient; the Observations and Specimens name the same one (or none);
 * a Patient sent with the report is the one the report names. */
export function checkOnePatient(
  report: Located,
  others: readonly Located[],
  patient: Located | undefined,
  resolve: Resolve,
  issues: ValidationIssue[],
): void {
  const reportSubject = subjectKey(report.resource.subject, resolve);
  if (!reportSubject) {
    issues.push(
      issue('error', 'required', `${report.path}.subject`, 'A lab report must name its patient (subject)'),
    );
    return;
  }
  for (const o of others) {
    const key = subjectKey(o.resource.subject, resolve);
    if (key && key !== reportSubject) {
      issues.push(
        issue(
          'error',
          'conflict',
          `${o.path}.subject`,
          'The subject differs from the subject of the DiagnosticReport',
        ),
      );
    }
  }
  if (patient && reportSubject !== `ref:${patient.key}`) {
    issues.push(
      issue(
        'error',
        'conflict',
        `${report.path}.subject`,
        'The report does not name the Patient sent with it',
      ),
    );
  }
}

export function contentOf(
  report: Located,
  observations: readonly Located[],
  specimens: readonly Located[],
  patient: Located | undefined,
  resolved: ReadonlyMap<string, Located>,
): LabReportContent {
  return {
    report: report.resource as unknown as fhir4.DiagnosticReport,
    observations: observations.map((o) => o.resource as unknown as fhir4.Observation),
    specimens: specimens.map((s) => s.resource as unknown as fhir4.Specimen),
    ...(patient ? { patient: patient.resource as unknown as fhir4.Patient } : {}),
    resolved: new Map([...resolved].map(([k, v]) => [k, v.resource as unknown as fhir4.Resource])),
    paths: {
      report: report.path,
      observations: observations.map((o) => o.path),
      specimens: specimens.map((s) => s.path),
      ...(patient ? { patient: patient.path } : {}),
    },
  };
}
