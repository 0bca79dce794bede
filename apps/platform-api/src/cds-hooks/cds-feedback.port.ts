/**
 * Where the doctor's answer to a duplicate-test card goes. CDS Hooks feedback says a card was
 * accepted (the order deleted: the result recognised) or overridden (with a decline reason of
 * the ValueSet and a comment). CdsHooksModule provides CdsFeedbackDecisions
 * (cds-feedback.decisions.ts), which records each as a recognition decision; the token stays the
 * seam for another handler.
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
