/** What is wrong with a FHIR input, and where: the shape every FHIR check of the hub returns,
 * turned into an OperationOutcome by `operationOutcome()`. */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** FHIR R4 `IssueType` codes (http://hl7.org/fhir/issue-type) the hub uses. */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'code-invalid'
  | 'not-supported'
  | 'conflict'
  | 'duplicate'
  | 'not-found'
  | 'processing'
  | 'exception';

export interface ValidationIssue {
  readonly severity: IssueSeverity;
  readonly code: IssueCode;
  /** FHIRPath-like element path with array indexes, choice elements by their JSON name:
   * `DiagnosticReport.status`, `Bundle.entry[1].resource.valueQuantity.value`. */
  readonly path: string;
  readonly message: string;
}

export function issue(
  severity: IssueSeverity,
  code: IssueCode,
  path: string,
  message: string,
): ValidationIssue {
  return { severity, code, path, message };
}

export function isError(i: ValidationIssue): boolean {
  return i.severity === 'error' || i.severity === 'fatal';
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some(isError);
}

/** The issues without repeats (same severity, path and message — or code, when two checks
 * say the same thing in other words), in their first order. */
export function uniqueIssues(
  issues: readonly ValidationIssue[],
  sameWhen: 'message' | 'code' = 'message',
): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.severity}|${i.path}|${sameWhen === 'code' ? i.code : i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
