import type { fhir4 } from '@yilian/contracts';
import { type ValidationIssue, issue } from '@yilian/fhir';
import { institutionOfMrnSystem, isResidentIdSystem, parseResidentId } from '@yilian/patients';
import type { SubmittedPatient } from '../results/lab-results.intake';

/**
 * Who a FHIR lab report is about, from the Patient in the submission or the report's subject:
 * the resident ID number (checked, GB 11643) and the sender's own MRN. A plain `Patient/{id}`
 * reference is the sender's local patient id, kept as its MRN.
 */
export function submittedPatient(
  institution: string,
  report: fhir4.DiagnosticReport,
  patient: fhir4.Patient | undefined,
  paths: { readonly report: string; readonly patient?: string },
): { ok: true; patient: SubmittedPatient } | { ok: false; issues: ValidationIssue[] } {
  const patientPath = paths.patient ?? 'Patient';
  const basePath = patient ? patientPath : `${paths.report}.subject`;
  const identifiers: fhir4.Identifier[] =
    patient?.identifier ?? (report.subject?.identifier ? [report.subject.identifier] : []);
  let residentId: string | undefined;
  let mrn: string | undefined;
  const issues: ValidationIssue[] = [];
  identifiers.forEach((id, i) => {
    const path = patient ? `${patientPath}.identifier[${i}]` : `${paths.report}.subject.identifier`;
    if (!id.value) return;
    if (isResidentIdSystem(id.system)) {
      const check = parseResidentId(id.value);
      if (check.ok) residentId = check.value;
      else
        issues.push(
          issue('error', 'value', `${path}.value`, `resident ID number is invalid: ${check.reason}`),
        );
      return;
    }
    const mrnOf = institutionOfMrnSystem(id.system);
    const isMr = id.type?.coding?.some((c) => c.code === 'MR') ?? false;
    if (mrnOf === institution || (mrnOf === undefined && isMr)) mrn ??= id.value;
  });
  if (!mrn && !residentId) {
    const ref = report.subject?.reference;
    const local =
      ref && /^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(ref) ? ref.slice('Patient/'.length) : undefined;
    if (local) mrn = local;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (!mrn && !residentId) {
    return {
      ok: false,
      issues: [
        issue(
          'error',
          'required',
          basePath,
          'the patient needs a resident ID number (system urn:oid:2.16.156.10011.1.3) or an MRN of the sending institution',
        ),
      ],
    };
  }
  return { ok: true, patient: { ...(residentId ? { residentId } : {}), ...(mrn ? { mrn } : {}) } };
}
