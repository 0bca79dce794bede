/**
 * Validates a FHIR R4 resource (any type, Bundles included) against its base
 * StructureDefinition, with @medplum/core's validator (cardinality, types, primitive formats,
 * unknown elements, fixed/pattern values, element invariants, the resource's own invariants)
 * plus the supplementary checks of supplementary-checks.ts. Profiles in `meta.profile` are
 * not validated: the base definition is the contract.
 *
 * What is done to @medplum/core's answer, and why:
 * - paths name choice elements as sent (`valueQuantity`, not `value[x]`): element-path.ts;
 * - its "Invalid reference" warnings are dropped (they flag every valid `urn:uuid:` and
 *   absolute reference) and replaced by an error only for a genuinely wrong target type;
 * - its "Conflicting choice of type" warning (which carries no usable path) is replaced by an
 *   error with the path; its "Type of primitive extension" warning (same path problem) and its
 *   "Unknown data type" error (no path) are dropped, the latter reported with a path instead;
 * - its messages below a path whose JSON shape is wrong are dropped (see `malformed`);
 * - a failure to evaluate an invariant is a warning: the sender is not at fault.
 * Nothing medplum-specific applies: only the official R4 definitions are indexed, so `meta`,
 * `urn:uuid:` references and other plain R4 usage are accepted.
 */
import { OperationOutcomeError, getDataType, validateResource } from '@medplum/core';
import { elementPath, isJsonObject, isWithin } from './element-path';
import { isR4ResourceType } from './r4-definitions';
import { supplementaryChecks } from './supplementary-checks';
import {
  isError,
  issue,
  uniqueIssues,
  type IssueCode,
  type IssueSeverity,
  type ValidationIssue,
} from './validation-issue';

interface MedplumIssue {
  readonly severity?: string;
  readonly code?: string;
  readonly details?: { readonly text?: string };
  readonly diagnostics?: string;
  readonly expression?: readonly string[];
}

const DROPPED = [
  /^Invalid reference/,
  /^Conflicting choice of type/,
  /^Type of primitive extension/,
  /^Unknown data type/,
];
const VALUE_MESSAGES =
  /^(Invalid JSON type|Invalid \S+ format|String must|Invalid numeric|Expected number|Invalid (null|undefined|empty) value)/;

function codeOf(i: MedplumIssue, message: string): IssueCode {
  if (message.startsWith('Missing required property')) return 'required';
  if (VALUE_MESSAGES.test(message)) return 'value';
  const kept: readonly string[] = ['structure', 'invariant', 'processing', 'invalid'];
  return kept.includes(i.code ?? '') ? (i.code as IssueCode) : 'invalid';
}

function severityOf(i: MedplumIssue): IssueSeverity {
  if (i.code === 'processing') return 'warning';
  return i.severity === 'fatal' || i.severity === 'warning' || i.severity === 'information'
    ? i.severity
    : 'error';
}

function fromMedplum(resource: Record<string, unknown>, rootType: string): ValidationIssue[] {
  let raw: readonly MedplumIssue[];
  try {
    raw = validateResource(resource as Parameters<typeof validateResource>[0]) as MedplumIssue[];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      const reason = err instanceof Error ? err.message : String(err);
      return [issue('error', 'processing', rootType, `The resource could not be validated: ${reason}`)];
    }
    raw = (err.outcome.issue ?? []) as MedplumIssue[];
  }
  const out: ValidationIssue[] = [];
  for (const i of raw) {
    const message = i.details?.text ?? i.diagnostics ?? 'Invalid';
    if (DROPPED.some((re) => re.test(message))) continue;
    const path = elementPath(resource, i.expression?.[0] ?? rootType);
    out.push(issue(severityOf(i), codeOf(i, message), path, message));
  }
  return out;
}

/** All issues found in `input`, errors and warnings; empty when it is a valid R4 resource.
 * Never throws on any JSON input. Loads the R4 definitions on first use. */
export function validateFhirResource(input: unknown): ValidationIssue[] {
  if (!isJsonObject(input)) {
    const kind = Array.isArray(input) ? 'an array' : input === null ? 'null' : `a ${typeof input}`;
    return [issue('error', 'structure', '', `A FHIR resource is a JSON object, got ${kind}`)];
  }
  const resourceType = input.resourceType;
  if (typeof resourceType !== 'string') {
    return [issue('error', 'required', 'resourceType', 'A resource must have a resourceType')];
  }
  if (!isR4ResourceType(resourceType)) {
    return [
      issue(
        'error',
        'not-supported',
        'resourceType',
        `Unknown resource type "${resourceType}": not a FHIR R4 resource`,
      ),
    ];
  }
  const supplementary = supplementaryChecks(input, getDataType(resourceType));
  // An unknown nested resource type makes @medplum/core stop with no path: report ours only.
  const unknownNested = supplementary.issues.some((i) => i.message.startsWith('Unknown resource type'));
  const base = unknownNested ? [] : fromMedplum(input, resourceType);
  const kept = base.filter((i) => !supplementary.malformed.some((p) => isWithin(i.path, p)));
  return uniqueIssues([...kept, ...supplementary.issues]);
}

/** Validates and returns only whether the resource has no error (warnings allowed). */
export function isValidFhirResource(input: unknown): boolean {
  return !validateFhirResource(input).some(isError);
}
