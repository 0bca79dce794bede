/** FHIR OperationOutcome answers: how the hub tells a FHIR sender what was wrong and where. */
import type * as fhir4 from 'fhir/r4';
import { isError, issue, type IssueCode, type ValidationIssue } from './validation-issue';

function outcomeIssue(i: ValidationIssue): fhir4.OperationOutcomeIssue {
  return {
    severity: i.severity,
    code: i.code,
    diagnostics: i.message,
    ...(i.path ? { expression: [i.path] } : {}),
  };
}

/** One OperationOutcome issue per ValidationIssue (`expression = [path]`, `diagnostics =
 * message`). With no issues, the single informational "All OK" issue FHIR expects. */
export function operationOutcome(issues: readonly ValidationIssue[]): fhir4.OperationOutcome {
  if (issues.length === 0) return allOk();
  return { resourceType: 'OperationOutcome', issue: issues.map(outcomeIssue) };
}

function single(code: IssueCode, message: string, path = ''): fhir4.OperationOutcome {
  return operationOutcome([issue('error', code, path, message)]);
}

export function allOk(message = 'All OK'): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: message }],
  };
}

/** `what`: e.g. "DiagnosticReport/abc" */
export function notFound(what?: string): fhir4.OperationOutcome {
  return single('not-found', what ? `${what} not found` : 'Not found');
}

export function conflict(message: string, path?: string): fhir4.OperationOutcome {
  return single('conflict', message, path);
}

export function duplicate(message: string, path?: string): fhir4.OperationOutcome {
  return single('duplicate', message, path);
}

export function unsupported(message: string, path?: string): fhir4.OperationOutcome {
  return single('not-supported', message, path);
}

export function invalid(message: string, path?: string): fhir4.OperationOutcome {
  return single('invalid', message, path);
}

/** An error of the hub itself: says so without leaking internals. */
export function processingError(message = 'The request could not be processed'): fhir4.OperationOutcome {
  return single('processing', message);
}

/** The HTTP status that goes with an outcome, following the FHIR RESTful API: 404 not found,
 * 409 conflict / duplicate, 422 content that parses but breaks the rules of the definitions
 * (invariants, codes, references, business rules), 400 any other client error (malformed
 * structure, missing elements, wrong types, unsupported), 500 an error of the hub, 200 when
 * nothing is an error. */
export function httpStatusOf(outcome: fhir4.OperationOutcome): number {
  const errors = outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length === 0) return 200;
  const codes = new Set(errors.map((i) => i.code));
  if (codes.has('exception') || codes.has('processing')) return 500;
  if (codes.has('not-found')) return 404;
  if (codes.has('conflict') || codes.has('duplicate')) return 409;
  const unprocessable: readonly string[] = ['invariant', 'code-invalid', 'business-rule'];
  return errors.every((i) => unprocessable.includes(i.code)) ? 422 : 400;
}

/** The errors among the issues, for "accept or reject" decisions. */
export function errorsOf(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.filter(isError);
}
