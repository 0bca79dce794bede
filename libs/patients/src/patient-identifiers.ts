/**
 * The identifiers a patient key can be derived from, read from FHIR `Identifier`s
 * (Patient.identifier, or the logical `Reference.identifier` of a subject).
 */
import type * as fhir4 from 'fhir/r4';
import { institutionOfMrnSystem, isResidentIdSystem } from './identifier-systems';
import { parseResidentId } from './resident-id';

export interface PatientIdentifiers {
  /** The valid resident ID number, normalised (upper-case X). */
  readonly residentId?: string;
  /** Why a resident ID number that was sent is not used (never the number itself). */
  readonly residentIdProblem?: string;
  /** MRNs, by issuing institution, in the order sent. */
  readonly mrns: readonly { readonly institution: string; readonly value: string }[];
}

export function patientIdentifiersOf(
  identifiers: readonly fhir4.Identifier[] | undefined,
): PatientIdentifiers {
  let residentId: string | undefined;
  let residentIdProblem: string | undefined;
  const mrns: { institution: string; value: string }[] = [];
  for (const identifier of identifiers ?? []) {
    const value = identifier.value?.trim();
    if (!value) continue;
    if (isResidentIdSystem(identifier.system)) {
      const check = parseResidentId(value);
      if (check.ok) residentId ??= check.value;
      else residentIdProblem ??= check.reason;
      continue;
    }
    const institution = institutionOfMrnSystem(identifier.system);
    if (institution) mrns.push({ institution, value });
  }
  return {
    ...(residentId ? { residentId } : residentIdProblem ? { residentIdProblem } : {}),
    mrns,
  };
}
