/**
 * Reads a lab report (检验报告) sent over FHIR: a transaction Bundle with one DiagnosticReport,
 * its Observations, and optionally Specimens and one Patient — entries that name each other
 * by `fullUrl` (`urn:uuid:…`) — or a single DiagnosticReport with contained Observations.
 *
 * The input is validated against the R4 definitions first (fhir-validator.ts); then the
 * transaction rules: every entry a create or conditional update (entry-request.ts), only the
 * four resource types, unique fullUrls, every `urn:uuid:` reference naming an entry, every
 * result resolving to an Observation of the Bundle, one patient throughout. All issues are
 * returned together, with paths such as `Bundle.entry[2].request.method`; nothing is accepted
 * when any is an error. Resources are returned exactly as sent.
 */
import { isJsonObject } from './element-path';
import { checkEntryRequest } from './entry-request';
import { readContainedReport } from './contained-report';
import { validateFhirResource } from './fhir-validator';
import {
  checkOnePatient,
  contentOf,
  orderObservations,
  orderSpecimens,
  type LabReportContent,
  type LabReportParse,
  type Located,
} from './lab-report-content';
import { hasErrors, issue, uniqueIssues, type ValidationIssue } from './validation-issue';

export type { LabReportContent, LabReportParse } from './lab-report-content';

const ACCEPTED_TYPES: readonly string[] = ['DiagnosticReport', 'Observation', 'Specimen', 'Patient'];

interface Read {
  readonly issues: ValidationIssue[];
  readonly content?: LabReportContent;
}

/** `urn:uuid:` / `urn:oid:` references that name no entry: in a transaction they can only
 * mean an entry of the same Bundle. */
function checkBundleLocalReferences(
  value: unknown,
  path: string,
  known: ReadonlyMap<string, Located>,
  issues: ValidationIssue[],
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkBundleLocalReferences(v, `${path}[${i}]`, known, issues));
  } else if (isJsonObject(value)) {
    const ref = value.reference;
    if (typeof ref === 'string' && /^urn:(uuid|oid):/.test(ref) && !known.has(ref)) {
      issues.push(issue('error', 'not-found', path, `${ref} is not the fullUrl of any entry of this Bundle`));
    }
    for (const [key, v] of Object.entries(value)) {
      if (key !== 'contained') checkBundleLocalReferences(v, `${path}.${key}`, known, issues);
    }
  }
}

function locateEntries(entries: readonly unknown[], issues: ValidationIssue[]): Located[] {
  const located: Located[] = [];
  const fullUrls = new Map<string, string>();
  entries.forEach((entry, i) => {
    const path = `Bundle.entry[${i}]`;
    if (!isJsonObject(entry)) return;
    const resource = entry.resource;
    if (!isJsonObject(resource)) {
      issues.push(
        issue(
          'error',
          'required',
          `${path}.resource`,
          'Each entry of a lab report Bundle carries a resource',
        ),
      );
      return;
    }
    const type = resource.resourceType;
    if (typeof type !== 'string') return;
    if (!ACCEPTED_TYPES.includes(type)) {
      const message = `A lab report Bundle carries ${ACCEPTED_TYPES.join(', ')} entries; ${type} is not accepted`;
      issues.push(issue('error', 'not-supported', `${path}.resource.resourceType`, message));
      return;
    }
    issues.push(...checkEntryRequest(entry.request, resource, path));
    const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    const first = fullUrl === undefined ? undefined : fullUrls.get(fullUrl);
    if (first) {
      issues.push(issue('error', 'duplicate', `${path}.fullUrl`, `The same fullUrl as ${first}`));
    } else if (fullUrl !== undefined) fullUrls.set(fullUrl, path);
    // A repeated fullUrl names the first entry that has it.
    located.push({
      resource,
      path: `${path}.resource`,
      key: fullUrl !== undefined && !first ? fullUrl : path,
    });
  });
  return located;
}

function readTransaction(bundle: Record<string, unknown>): Read {
  const issues: ValidationIssue[] = [];
  if (typeof bundle.type === 'string' && bundle.type !== 'transaction') {
    const message = `A lab report is sent as a transaction Bundle, not a ${bundle.type}`;
    issues.push(issue('error', 'not-supported', 'Bundle.type', message));
  }
  const entries = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const located = locateEntries(entries, issues);
  const byKey = new Map(located.map((l) => [l.key, l]));
  const resolve = (ref: string): Located | undefined =>
    byKey.get(ref) ??
    located.find((l) => `${String(l.resource.resourceType)}/${String(l.resource.id)}` === ref) ??
    located.find((l) => /^https?:\/\//.test(l.key) && l.key.endsWith(`/${ref}`));
  const of = (type: string): Located[] => located.filter((l) => l.resource.resourceType === type);
  const [report, ...moreReports] = of('DiagnosticReport');
  const [patient, ...morePatients] = of('Patient');
  for (const extra of moreReports) {
    issues.push(
      issue('error', 'not-supported', extra.path, 'One DiagnosticReport per Bundle: send each in its own'),
    );
  }
  for (const extra of morePatients) {
    issues.push(
      issue('error', 'not-supported', extra.path, 'One Patient per Bundle: a report is about one patient'),
    );
  }
  located.forEach((l) => checkBundleLocalReferences(l.resource, l.path, byKey, issues));
  if (!report) {
    const message = 'A lab report Bundle carries one DiagnosticReport';
    issues.push(issue('error', 'required', entries.length ? 'Bundle' : 'Bundle.entry', message));
    return { issues };
  }
  const observations = orderObservations(report, of('Observation'), resolve, issues);
  const specimens = orderSpecimens(report, of('Specimen'), resolve);
  checkOnePatient(report, [...of('Observation'), ...of('Specimen')], patient, resolve, issues);
  return { issues, content: contentOf(report, observations, specimens, patient, byKey) };
}

function finish(validation: readonly ValidationIssue[], read: Read): LabReportParse {
  const issues = uniqueIssues([...validation, ...read.issues], 'code');
  if (hasErrors(issues) || !read.content) return { ok: false, issues };
  return { ok: true, content: read.content, warnings: issues };
}

/** Reads a lab report submission: a transaction Bundle or a DiagnosticReport with contained
 * Observations. `ok: false` carries every issue found; `ok: true` the content and warnings. */
export function parseLabReport(input: unknown): LabReportParse {
  const validation = validateFhirResource(input);
  if (isJsonObject(input) && input.resourceType === 'Bundle')
    return finish(validation, readTransaction(input));
  if (isJsonObject(input) && input.resourceType === 'DiagnosticReport') {
    return finish(validation, readContainedReport(input));
  }
  if (hasErrors(validation)) return { ok: false, issues: validation };
  const message = 'A lab report is a transaction Bundle or a DiagnosticReport';
  return { ok: false, issues: [issue('error', 'not-supported', 'resourceType', message)] };
}
