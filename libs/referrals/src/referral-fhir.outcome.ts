/** Problems found in FHIR input, and how they (and decider rejections) become an
 * OperationOutcome with the element path at fault and an HTTP status. */
import type { fhir4 } from '@yilian/contracts';
import type { ReferralRejection, ReferralRejectionCode } from './referral.rules';

/** FHIR issue-type codes used here. */
export type FhirIssueCode =
  | 'required'
  | 'invalid'
  | 'value'
  | 'code-invalid'
  | 'forbidden'
  | 'not-supported'
  | 'not-found'
  | 'duplicate'
  | 'business-rule';

export interface FhirIssue {
  readonly code: FhirIssueCode;
  /** FHIRPath of the element at fault, e.g. `ServiceRequest.performer[0]`. */
  readonly path: string;
  readonly message: string;
}

export type FhirMapping<T> =
  { readonly ok: true; readonly command: T } | { readonly ok: false; readonly issues: readonly FhirIssue[] };

export function toOperationOutcome(issues: readonly FhirIssue[]): fhir4.OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: 'error',
      code: i.code,
      diagnostics: i.message,
      ...(i.path ? { expression: [i.path] } : {}),
    })),
  };
}

const BY_REJECTION: Readonly<Record<ReferralRejectionCode, { code: FhirIssueCode; httpStatus: number }>> = {
  'not-receiver': { code: 'forbidden', httpStatus: 403 },
  'not-sender': { code: 'forbidden', httpStatus: 403 },
  'not-alliance-member': { code: 'business-rule', httpStatus: 422 },
  'terminal-state': { code: 'business-rule', httpStatus: 409 },
  'invalid-transition': { code: 'business-rule', httpStatus: 409 },
  'not-found': { code: 'not-found', httpStatus: 404 },
  'already-exists': { code: 'duplicate', httpStatus: 409 },
  validation: { code: 'invalid', httpStatus: 422 },
};

/** A decider rejection as the FHIR client should see it. */
export function rejectionToOperationOutcome(rejection: ReferralRejection): {
  readonly httpStatus: number;
  readonly outcome: fhir4.OperationOutcome;
} {
  const { code, httpStatus } = BY_REJECTION[rejection.code];
  return { httpStatus, outcome: toOperationOutcome([{ code, path: '', message: rejection.message }]) };
}
