import type { fhir4 } from '@yilian/contracts';
import { institutionOfMrnSystem, isPatientKey, isResidentIdSystem, parseResidentId } from '@yilian/patients';
import type { FhirIssue } from '@yilian/referrals';
import type { ReferralPatient } from './referral-intake.service';

const LOCAL_PATIENT = /^Patient\/([A-Za-z0-9\-._]{1,64})$/;

/**
 * Who a ServiceRequest is about: the resident ID number (GB 11643, checked) and the sender's
 * MRN from the Patient it names (contained or in the Bundle) or from subject.identifier; or a
 * `Patient/{id}` reference, which is the hub's patient key when it is one, else the sender's
 * local patient id (kept as its MRN). Issues never repeat an identifier.
 */
export function referralPatientOf(
  sender: string,
  sr: fhir4.ServiceRequest,
  patient: fhir4.Patient | undefined,
  path: string,
): { ok: true; patient: ReferralPatient } | { ok: false; issues: FhirIssue[] } {
  const identifiers = patient?.identifier ?? (sr.subject?.identifier ? [sr.subject.identifier] : []);
  let residentId: string | undefined;
  let mrn: string | undefined;
  for (const [i, id] of identifiers.entries()) {
    const where = patient ? `Patient.identifier[${i}]` : `${path}.subject.identifier`;
    if (!id.value) continue;
    if (isResidentIdSystem(id.system)) {
      const check = parseResidentId(id.value);
      if (!check.ok) return fail('value', `${where}.value`, `resident ID number is invalid: ${check.reason}`);
      residentId = check.value;
      continue;
    }
    const issuer = institutionOfMrnSystem(id.system);
    const isMr = id.type?.coding?.some((c) => c.code === 'MR') ?? false;
    if (issuer === sender || (issuer === undefined && isMr)) mrn ??= id.value;
  }
  if (residentId) return { ok: true, patient: { residentId, ...(mrn ? { mrn } : {}) } };
  if (mrn) return { ok: true, patient: { mrn } };
  const local = LOCAL_PATIENT.exec(sr.subject?.reference ?? '')?.[1];
  if (local && isPatientKey(local)) return { ok: true, patient: { patientKey: local } };
  if (local && !local.includes('_')) return { ok: true, patient: { mrn: local } };
  return fail(
    'required',
    `${path}.subject`,
    `the patient needs a resident ID number (urn:oid:2.16.156.10011.1.3) or an MRN of ${sender}`,
  );
}

function fail(code: FhirIssue['code'], path: string, message: string) {
  return { ok: false as const, issues: [{ code, path, message }] };
}
