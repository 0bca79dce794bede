/**
 * A receiving doctor's decision on one existing result (issue 12): recognised, or declined with
 * a reason from the decline-reason ValueSet (national list + local additions) and free text of
 * at most 200 characters. A second decision on the same result and encounter is the next event
 * of the same stream: a new version, never an edit.
 *
 * Stream: `recognition-decision-{institution}-{sha256(resultStream|encounter) 32 hex}`.
 */
import { createHash } from 'node:crypto';
import {
  arrayOf,
  institutionCode,
  instant,
  integer,
  isObject,
  object,
  oneOf,
  optional,
  text,
  type DataCheck,
} from '../referrals/schema';
import { day } from './recognition-rules.v1';

export const RECOGNITION_DECISION_RECORDED = 'RecognitionDecisionRecorded';
export const RECOGNITION_DECISIONS = ['recognised', 'declined'] as const;
export type RecognitionDecision = (typeof RECOGNITION_DECISIONS)[number];
/** 200 characters as a reader counts them (code points), not UTF-16 units or bytes. */
export const DECISION_TEXT_MAX_CHARACTERS = 200;

export interface DecisionReason {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

export interface DecisionItem {
  readonly code: string;
  readonly name: string;
  readonly priceYuan?: number;
}

export interface RecognitionDecisionRecordedV1 {
  /** The deciding institution: the requester, from its credential. */
  readonly institution: string;
  /** The doctor (practitioner id at the institution), when the caller sends it. */
  readonly practitioner?: string;
  /** The visit the decision belongs to (encounter id / visit number at the institution). */
  readonly encounter?: string;
  readonly resultStream: string;
  /** The result version decided on. */
  readonly resultVersion: number;
  /** `DiagnosticReport/{id}` or `ImagingStudy/{id}`. */
  readonly resource: string;
  readonly performer: string;
  /** The catalogue items the decision covers (the result's recognisable items), with their
   * price then: a recognition avoids re-testing each (money saved = the sum). */
  readonly items: readonly DecisionItem[];
  readonly decision: RecognitionDecision;
  readonly reason?: DecisionReason;
  readonly text?: string;
  /** What recognition said at the moment of the decision. */
  readonly scope: { readonly code: string; readonly mark: string };
  readonly validUntil: string;
  /** 1 for the first decision on this result and encounter, then 2, 3 … */
  readonly version: number;
  readonly decidedAt: string;
}

export const decisionText: DataCheck = (value, path) => {
  if (typeof value !== 'string') return [`${path}: expected a string`];
  const characters = [...value].length;
  return characters > DECISION_TEXT_MAX_CHARACTERS
    ? [`${path}: at most ${DECISION_TEXT_MAX_CHARACTERS} characters (got ${characters})`]
    : [];
};

const reason: DataCheck = (value, path) =>
  isObject(value)
    ? object<DecisionReason>({
        system: text({ max: 500 }),
        code: text({ max: 64 }),
        display: optional(text({ max: 200 })),
      })(value, path)
    : [`${path}: expected a Coding {system, code}`];

export const checkRecognitionDecisionRecordedV1: DataCheck = object<RecognitionDecisionRecordedV1>({
  institution: institutionCode,
  practitioner: optional(text({ max: 64 })),
  encounter: optional(text({ max: 64 })),
  resultStream: text({ max: 300 }),
  resultVersion: integer(1, 1_000_000),
  resource: text({ max: 200, pattern: /^(DiagnosticReport|ImagingStudy)\/[A-Za-z0-9\-.]{1,64}$/ }),
  performer: institutionCode,
  items: arrayOf(
    object<DecisionItem>({
      code: text({ max: 64 }),
      name: text({ max: 200 }),
      priceYuan: optional((v, path) =>
        typeof v === 'number' && v >= 0 ? [] : [`${path}: expected a price in yuan`],
      ),
    }),
    { max: 1000 },
  ),
  decision: oneOf(RECOGNITION_DECISIONS),
  reason: optional(reason),
  text: optional(decisionText),
  scope: object<{ code: string; mark: string }>({ code: text({ max: 80 }), mark: text({ max: 32 }) }),
  validUntil: day,
  version: integer(1, 1_000_000),
  decidedAt: instant,
});

export function recognitionDecisionStream(
  institution: string,
  resultStream: string,
  encounter?: string,
): string {
  const digest = createHash('sha256')
    .update(`${resultStream}|${encounter ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  return `recognition-decision-${institution}-${digest}`;
}
