/**
 * A lab report sent as one DiagnosticReport whose Observations (and Specimens, and possibly
 * the Patient) are `contained` and referenced as `#id`: the form some LIS interfaces use for a
 * plain `POST /DiagnosticReport`.
 */
import { isJsonObject } from './element-path';
import {
  checkOnePatient,
  contentOf,
  orderObservations,
  orderSpecimens,
  type LabReportContent,
  type Located,
} from './lab-report-content';
import type { ValidationIssue } from './validation-issue';

export function readContainedReport(report: Record<string, unknown>): {
  issues: ValidationIssue[];
  content: LabReportContent;
} {
  const issues: ValidationIssue[] = [];
  const located: Located[] = [];
  const byKey = new Map<string, Located>();
  const contained = Array.isArray(report.contained) ? (report.contained as unknown[]) : [];
  contained.forEach((resource, i) => {
    if (!isJsonObject(resource) || typeof resource.id !== 'string') return;
    const entry: Located = { resource, path: `DiagnosticReport.contained[${i}]`, key: `#${resource.id}` };
    byKey.set(entry.key, entry);
    located.push(entry);
  });
  const resolve = (reference: string): Located | undefined => byKey.get(reference);
  const of = (type: string): Located[] => located.filter((l) => l.resource.resourceType === type);
  const self: Located = { resource: report, path: 'DiagnosticReport', key: '#' };
  const subject = isJsonObject(report.subject) ? report.subject.reference : undefined;
  const patient = typeof subject === 'string' ? of('Patient').find((p) => p.key === subject) : undefined;
  const observations = orderObservations(self, of('Observation'), resolve, issues);
  const specimens = orderSpecimens(self, of('Specimen'), resolve);
  checkOnePatient(self, [...of('Observation'), ...of('Specimen')], patient, resolve, issues);
  return { issues, content: contentOf(self, observations, specimens, patient, byKey) };
}
