/**
 * FHIR Patient → identity requests. `POST /fhir/Patient` creates or updates by identifier
 * (the hub has no Patient ids in URLs):
 *
 * | element                              | request                                          |
 * | identifier (resident ID, own MRN)    | the record; its MRN is linked to the ID number   |
 * | name, gender, birthDate              | update: demographics recorded                    |
 * | link[type=replaced-by].other         | merge: this record into `other` (the survivor)   |
 * | link[type=replaces].other            | merge: `other` into this record                  |
 * | link[type=seealso or refer].other    | see-also: this record (no resident ID number)    |
 * |                                      | joins the other's patient (a confirmed match)    |
 *
 * `other` names a record by `Reference.identifier`. Own MRNs are the sender's
 * (`urn:yilian:institution:{code}:mrn`, or typed MR); a seealso may name another institution's
 * MRN. Issues are located by element path and never repeat an identifier.
 */
import type { fhir4, PatientDemographics, PatientName } from '@yilian/contracts';
import { issue, type ValidationIssue } from '@yilian/fhir';
import {
  type IdentityRequest,
  institutionOfMrnSystem,
  isResidentIdSystem,
  parseResidentId,
  type RecordIdentifiers,
} from '@yilian/patients';

export interface LocatedFhirRequest {
  readonly request: IdentityRequest;
  /** Element paths of the record and of the other (prior) record, for issues. */
  readonly record: string;
  readonly other?: string;
}

export type FhirIdentityMapping =
  | { readonly ok: true; readonly record: RecordIdentifiers; readonly requests: LocatedFhirRequest[] }
  | { readonly ok: false; readonly issues: ValidationIssue[] };

type Scope = 'own' | 'any';

/** Reads identifiers: the resident ID number (checked) and one MRN, of the sender (`own`) or of
 * any institution. An MRN of another institution where only the sender's may be named is an
 * issue, as is an invalid resident ID number. */
export function recordIdentifiers(
  identifiers: readonly fhir4.Identifier[],
  path: (i: number) => string,
  institution: string,
  scope: Scope,
  issues: ValidationIssue[],
): RecordIdentifiers {
  let residentId: string | undefined;
  let mrn: { institution: string; value: string } | undefined;
  identifiers.forEach((id, i) => {
    const value = id.value?.trim();
    if (!value) return;
    if (isResidentIdSystem(id.system)) {
      const check = parseResidentId(value);
      if (check.ok) residentId ??= check.value;
      else
        issues.push(
          issue('error', 'value', `${path(i)}.value`, `resident ID number is invalid: ${check.reason}`),
        );
      return;
    }
    const issuer = institutionOfMrnSystem(id.system);
    const typedMr = id.type?.coding?.some((c) => c.code === 'MR') ?? false;
    if (issuer === undefined && !(typedMr && id.system === undefined)) return;
    const owner = issuer ?? institution;
    if (scope === 'own' && owner !== institution) {
      const message = `an MRN of another institution (${owner}) cannot be asserted here; name it in a seealso link`;
      issues.push(issue('error', 'value', `${path(i)}.system`, message));
      return;
    }
    mrn ??= { institution: owner, value };
  });
  return { ...(residentId ? { residentId } : {}), ...(mrn ? { mrn } : {}) };
}

function demographicsOf(patient: fhir4.Patient): PatientDemographics {
  const name = (patient.name ?? [])
    .map((n): PatientName => ({
      ...(n.use ? { use: n.use } : {}),
      ...(n.text ? { text: n.text } : {}),
      ...(n.family ? { family: n.family } : {}),
      ...(n.given && n.given.length > 0 ? { given: n.given } : {}),
    }))
    .filter((n) => Object.keys(n).length > 0);
  return {
    ...(name.length > 0 ? { name } : {}),
    ...(patient.gender ? { gender: patient.gender } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
  };
}

function linkRequest(
  type: string,
  record: RecordIdentifiers,
  other: RecordIdentifiers,
): IdentityRequest | undefined {
  if (type === 'replaced-by') return { kind: 'merge', survivor: other, prior: record };
  if (type === 'replaces') return { kind: 'merge', survivor: record, prior: other };
  if (type === 'seealso' || type === 'refer') return { kind: 'see-also', record, other };
  return undefined;
}

/** A Patient resource (already validated against R4) from `institution`. */
export function patientIdentityRequests(institution: string, patient: fhir4.Patient): FhirIdentityMapping {
  const issues: ValidationIssue[] = [];
  const record = recordIdentifiers(
    patient.identifier ?? [],
    (i) => `Patient.identifier[${i}]`,
    institution,
    'own',
    issues,
  );
  if (!record.residentId && !record.mrn && issues.length === 0) {
    const message = `the patient needs a resident ID number (system urn:oid:2.16.156.10011.1.3) or an MRN of ${institution}`;
    issues.push(issue('error', 'required', 'Patient.identifier', message));
  }
  const requests: LocatedFhirRequest[] = [
    {
      request: { kind: 'update', record, demographics: demographicsOf(patient) },
      record: 'Patient.identifier',
    },
  ];
  (patient.link ?? []).forEach((link, i) => {
    const path = `Patient.link[${i}].other`;
    if (!link.other.identifier) {
      const message =
        'name the other patient by identifier (Reference.identifier): the hub has no Patient ids';
      issues.push(issue('error', 'not-supported', path, message));
      return;
    }
    const scope: Scope = link.type === 'seealso' || link.type === 'refer' ? 'any' : 'own';
    const other = recordIdentifiers(
      [link.other.identifier],
      () => `${path}.identifier`,
      institution,
      scope,
      issues,
    );
    const request = linkRequest(link.type, record, other);
    if (request) requests.push({ request, record: 'Patient.identifier', other: `${path}.identifier` });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, record, requests };
}
