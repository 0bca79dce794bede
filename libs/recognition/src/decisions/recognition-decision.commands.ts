import type { DecisionReason, RecognitionDecision } from '@yilian/contracts';
import type { ResultEligibility } from '../eligibility.types';

/** Record a receiving doctor's decision on one existing result. */
export interface RecordRecognitionDecision {
  readonly type: 'RecordRecognitionDecision';
  /** From the credential, never from the body. */
  readonly institution: string;
  readonly practitioner?: string;
  readonly encounter?: string;
  readonly resultStream: string;
  /** `DiagnosticReport/{id}` or `ImagingStudy/{id}`, as the caller names the result. */
  readonly resource: string;
  readonly decision: RecognitionDecision;
  readonly reason?: DecisionReason;
  readonly text?: string;
  /** The result as recognition judged it for `institution` at `now` (the handler asks). */
  readonly eligibility: ResultEligibility | undefined;
  readonly now: string;
}
