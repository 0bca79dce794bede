/**
 * Reads an imaging submission sent over FHIR R4: a transaction Bundle with an ImagingStudy
 * and / or a DiagnosticReport (with `imagingStudy`), optionally the Patient and Endpoints; a
 * single ImagingStudy (Endpoint and Patient contained); or a single DiagnosticReport with
 * `imagingStudy`. Validated against the R4 definitions first; then: one study, one report and
 * one patient at most; the report names one study — the one sent with it, or a study the hub
 * already has by its id (`ImagingStudy/imaging.{performer}.{accession}`); endpoints resolve;
 * no `result` Observations (an imaging report's findings are its conclusion and text). Every
 * issue is returned, with its element path; resources are returned as sent.
 */
import type { fhir4 } from '@yilian/contracts';
import { hasErrors, issue, type ValidationIssue, validateFhirResource } from '@yilian/fhir';
import { parseImagingResourceId } from '@yilian/results';

export interface Located<T> {
  readonly resource: T;
  readonly path: string;
}

export interface ImagingFhirContent {
  readonly study?: Located<fhir4.ImagingStudy>;
  /** Endpoint entries the study names: they become contained in it. */
  readonly endpoints: readonly fhir4.Endpoint[];
  readonly report?: Located<fhir4.DiagnosticReport>;
  readonly patient?: Located<fhir4.Patient>;
  /** The hub study the report names by id, when it is not sent along. */
  readonly studyRef?: { readonly performer: string; readonly accession: string; readonly path: string };
  /** The resource path of each request entry, in order (a single resource: one). */
  readonly entryPaths: readonly string[];
}

export type ImagingFhirRead =
  | { readonly ok: true; readonly content: ImagingFhirContent }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

const ACCEPTED: readonly string[] = ['ImagingStudy', 'DiagnosticReport', 'Patient', 'Endpoint'];

type AnyResource = fhir4.FhirResource;

function entriesOf(input: AnyResource, issues: ValidationIssue[]): Located<AnyResource>[] {
  if (input.resourceType !== 'Bundle') return [{ resource: input, path: input.resourceType }];
  if (input.type !== 'transaction') {
    issues.push(
      issue(
        'error',
        'not-supported',
        'Bundle.type',
        `imaging is sent as a transaction Bundle, not a ${input.type}`,
      ),
    );
  }
  return (input.entry ?? []).flatMap((entry, i) => {
    const path = `Bundle.entry[${i}]`;
    const resource = entry.resource as AnyResource | undefined;
    if (!resource) {
      issues.push(issue('error', 'required', `${path}.resource`, 'each entry carries a resource'));
      return [];
    }
    if (!ACCEPTED.includes(resource.resourceType)) {
      const message = `an imaging Bundle carries ${ACCEPTED.join(', ')}; ${resource.resourceType} is not accepted`;
      issues.push(issue('error', 'not-supported', `${path}.resource.resourceType`, message));
      return [];
    }
    const method = entry.request?.method;
    if (method !== 'POST' && method !== 'PUT') {
      const message = 'each entry is a create (POST) or a conditional update (PUT)';
      issues.push(issue('error', method ? 'not-supported' : 'required', `${path}.request.method`, message));
    }
    return [{ resource, path: `${path}.resource` }];
  });
}

/** Resolves `urn:uuid:…` fullUrls, `Type/id` of the entries, and `#id` of `container`. */
function resolver(input: AnyResource, entries: readonly Located<AnyResource>[]) {
  const byRef = new Map<string, AnyResource>();
  if (input.resourceType === 'Bundle') {
    (input.entry ?? []).forEach(
      (e) => e.resource && e.fullUrl && byRef.set(e.fullUrl, e.resource as AnyResource),
    );
    for (const { resource } of entries)
      if (resource.id) byRef.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  return (ref: string | undefined, container?: fhir4.DomainResource): AnyResource | undefined => {
    if (!ref) return undefined;
    if (ref.startsWith('#'))
      return container?.contained?.find((c) => `#${c.id}` === ref) as AnyResource | undefined;
    return byRef.get(ref);
  };
}

function one<T extends AnyResource>(found: Located<AnyResource>[], type: string, issues: ValidationIssue[]) {
  const [first, ...more] = found.filter((l) => l.resource.resourceType === type) as Located<T>[];
  for (const extra of more)
    issues.push(issue('error', 'not-supported', extra.path, `one ${type} per submission`));
  return first;
}

export function readImagingSubmission(input: unknown): ImagingFhirRead {
  const issues: ValidationIssue[] = [...validateFhirResource(input)];
  if (hasErrors(issues)) return { ok: false, issues };
  const resource = input as AnyResource;
  const entries = entriesOf(resource, issues);
  const resolve = resolver(resource, entries);
  const report = one<fhir4.DiagnosticReport>(entries, 'DiagnosticReport', issues);
  let study = one<fhir4.ImagingStudy>(entries, 'ImagingStudy', issues);
  let patient = one<fhir4.Patient>(entries, 'Patient', issues);
  let studyRef: ImagingFhirContent['studyRef'];
  if (report) {
    const refs = report.resource.imagingStudy ?? [];
    if (refs.length > 1)
      issues.push(
        issue(
          'error',
          'not-supported',
          `${report.path}.imagingStudy[1]`,
          'an imaging report is on one study',
        ),
      );
    const ref = refs[0]?.reference;
    const target = resolve(ref, report.resource);
    const refPath = `${report.path}.imagingStudy[0]`;
    if (target?.resourceType === 'ImagingStudy') {
      if (study && target !== study.resource)
        issues.push(issue('error', 'invalid', refPath, 'the report names another study than the one sent'));
      study ??= { resource: target, path: `${report.path}.contained` };
    } else if (ref) {
      const hub = ref.startsWith('ImagingStudy/')
        ? parseImagingResourceId(ref.slice('ImagingStudy/'.length))
        : undefined;
      if (hub) studyRef = { ...hub, path: refPath };
      else {
        const message = `${ref} is neither sent with the report nor a study of the hub (ImagingStudy/imaging.{performer}.{accession})`;
        issues.push(issue('error', 'not-found', refPath, message));
      }
    } else if (!study) {
      issues.push(
        issue('error', 'required', `${report.path}.imagingStudy`, 'an imaging report names its study'),
      );
    }
    if ((report.resource.result ?? []).length > 0) {
      const message =
        'an imaging report carries its findings in conclusion, conclusionCode and presentedForm, not in result';
      issues.push(issue('error', 'not-supported', `${report.path}.result`, message));
    }
  }
  const endpoints: fhir4.Endpoint[] = [];
  (study?.resource.endpoint ?? []).forEach((r, i) => {
    const target = resolve(r.reference, study!.resource);
    if (target?.resourceType !== 'Endpoint') {
      issues.push(
        issue(
          'error',
          'not-found',
          `${study!.path}.endpoint[${i}]`,
          'the endpoint is neither contained nor an entry of the Bundle',
        ),
      );
    } else if (!r.reference!.startsWith('#')) endpoints.push(target);
  });
  for (const holder of [report, study]) {
    const subject = resolve(holder?.resource.subject?.reference, holder?.resource);
    if (!patient && subject?.resourceType === 'Patient')
      patient = { resource: subject, path: `${holder!.path}.subject` };
  }
  if (!study && !report)
    issues.push(
      issue(
        'error',
        'required',
        'Bundle.entry',
        'an imaging submission carries an ImagingStudy or a DiagnosticReport',
      ),
    );
  if (hasErrors(issues)) return { ok: false, issues };
  const entryPaths = entries.map((e) => e.path);
  return {
    ok: true,
    content: {
      ...(study ? { study } : {}),
      endpoints,
      ...(report ? { report } : {}),
      ...(patient ? { patient } : {}),
      ...(studyRef ? { studyRef } : {}),
      entryPaths,
    },
  };
}
