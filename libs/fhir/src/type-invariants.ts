/**
 * The invariants declared on the root of a data type or resource StructureDefinition
 * (per-1, qty-3, ref-1, ext-1, obs-6 …), evaluated with @medplum/core's FHIRPath engine and
 * the same variables its validator binds. An invariant fails when it evaluates to `false`;
 * an empty result (e.g. dates of different precision, quantities in different units: not
 * comparable) is not a failure. One that cannot be evaluated is a warning, not the sender's
 * fault.
 */
import {
  evalFhirPathTyped,
  parseFhirPath,
  UCUM,
  type Constraint,
  type FhirPathAtom,
  type TypedValue,
} from '@medplum/core';
import { issue, type ValidationIssue } from './validation-issue';

/** The same keys @medplum/core skips: ele-1 (checked structurally), dom-3 (needs
 * descendants()), org-1 (kept lenient for back-compatibility), sdf-19. */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);
const UCUM_VALUE: TypedValue = { type: 'uri', value: UCUM };
const atoms = new Map<string, FhirPathAtom>();

function atomOf(expression: string): FhirPathAtom {
  let atom = atoms.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    atoms.set(expression, atom);
  }
  return atom;
}

/** `resource`: the nearest resource (`%resource`); `rootResource`: the one holding
 * `contained` (`%rootResource`). */
export function typeInvariantIssues(
  context: TypedValue,
  constraints: readonly Constraint[] | undefined,
  path: string,
  resource: TypedValue | undefined,
  rootResource: TypedValue | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const variables: Record<string, TypedValue> = { '%context': context, '%ucum': UCUM_VALUE };
  if (resource) variables['%resource'] = resource;
  if (rootResource) variables['%rootResource'] = rootResource;
  for (const c of constraints ?? []) {
    if (c.severity !== 'error' || SKIPPED_CONSTRAINTS.has(c.key)) continue;
    try {
      const result = evalFhirPathTyped(atomOf(c.expression), [context], variables);
      if (result.length === 1 && result[0]!.value === false) {
        issues.push(issue('error', 'invariant', path, `Constraint ${c.key} not met: ${c.description}`));
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      issues.push(issue('warning', 'processing', path, `Constraint ${c.key} not evaluated: ${reason}`));
    }
  }
  return issues;
}
