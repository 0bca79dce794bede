/**
 * Where the doctor's answer to a duplicate-test card goes. CDS Hooks feedback says a card was
 * accepted (the order deleted: the result recognised) or overridden (with a decline reason of
 * the ValueSet and a comment). Recording that as a recognition decision is the decisions work
 * of issue 12; until it is wired in, `PENDING_DECISIONS` takes the feedback and records
 * nothing — the endpoint still validates and answers per the spec.
 */
import type { ReadClient } from '../platform-auth';
import type { CdsFeedback } from './cds-hooks.types';

export interface CdsFeedbackReceived {
  readonly serviceId: string;
  /** The deciding institution: the credential's, never the body's. */
  readonly requester: string;
  readonly client: ReadClient;
  readonly feedback: readonly CdsFeedback[];
  readonly receivedAt: Date;
}

export interface CdsFeedbackHandler {
  /** Called once per valid feedback request, before it is answered. */
  onFeedback(received: CdsFeedbackReceived): Promise<void>;
}

export const CDS_FEEDBACK_HANDLER = Symbol('CDS_FEEDBACK_HANDLER');

export const PENDING_DECISIONS: CdsFeedbackHandler = {
  // TODO(issue 12, decisions): map each card uuid back to the result it named and record
  // `accepted` as recognised and `overridden` + overrideReason as declined (reason code, userComment
  // ≤ 200 characters) through the decisions handler; provide it as CDS_FEEDBACK_HANDLER.
  onFeedback: () => Promise.resolve(),
};
