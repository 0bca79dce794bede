/**
 * `POST /fhir/Patient/$merge` and `POST /fhir/Patient/$unmerge`: a Parameters resource naming
 * the two records by identifier, with the parameter names of FHIR R5's Patient $merge:
 *
 *   source-patient-identifier  the prior (duplicate) record: an MRN of the sender   (1..*)
 *   target-patient-identifier  the surviving record: resident ID number and/or MRN  (1..*)
 *                              (for $unmerge, another institution's MRN too)
 *
 * `$merge` merges source into target (as ADT^A40); `$unmerge` undoes what joined them — the
 * merge, else the link (as ADT^A37). R4 has neither operation; `$unmerge` is the hub's own.
 */
import type { fhir4 } from '@yilian/contracts';
import { issue, type ValidationIssue } from '@yilian/fhir';
import type { FhirIdentityMapping } from './fhir-patient.mapper';
import { recordIdentifiers } from './fhir-patient.mapper';

export type PatientOperation = 'merge' | 'unmerge';

const SOURCE = 'source-patient-identifier';
const TARGET = 'target-patient-identifier';

export function patientOperationRequest(
  institution: string,
  operation: PatientOperation,
  parameters: fhir4.Parameters,
): FhirIdentityMapping {
  const issues: ValidationIssue[] = [];
  const named = (name: string) =>
    (parameters.parameter ?? [])
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.name === name && p.valueIdentifier !== undefined);
  const read = (name: string, scope: 'own' | 'any') => {
    const found = named(name);
    const path = (i: number) => `Parameters.parameter[${found[i]?.i ?? 0}].valueIdentifier`;
    if (found.length === 0) {
      issues.push(
        issue('error', 'required', 'Parameters.parameter', `${name} (valueIdentifier) is required`),
      );
    }
    return recordIdentifiers(
      found.map(({ p }) => p.valueIdentifier!),
      path,
      institution,
      scope,
      issues,
    );
  };
  // The prior record is always the sender's; a separation may name another institution's
  // record (the other side of a confirmed match).
  const prior = read(SOURCE, 'own');
  const survivor = read(TARGET, operation === 'merge' ? 'own' : 'any');
  if (issues.length > 0) return { ok: false, issues };
  const sourcePath = `Parameters.parameter[${named(SOURCE)[0]!.i}]`;
  const targetPath = `Parameters.parameter[${named(TARGET)[0]!.i}]`;
  const kind = operation === 'merge' ? 'merge' : 'separate';
  return {
    ok: true,
    record: survivor,
    requests: [{ request: { kind, survivor, prior }, record: targetPath, other: sourcePath }],
  };
}
