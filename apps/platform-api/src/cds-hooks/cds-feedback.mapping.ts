/**
 * CDS Hooks feedback → recognition decisions (pure): each entry's card uuid back to the card the
 * hub issued (cds-cards.store.ts), and the doctor's outcome to a decision —
 *
 * - `accepted` (the suggestion "delete the order, use the existing result") → **recognised**;
 * - `overridden` with `overrideReason.reason` — a Coding of the card's `overrideReasons`, the
 *   decline-reason ValueSet — and an optional `overrideReason.userComment` (at most 200
 *   characters, counted as characters) → **declined** with that reason and the comment as text.
 *
 * Refused, as the first fault in the request (a 4xx OperationOutcome naming the entry): a card
 * uuid the hub never issued — or issued by another of its services — 404; a card issued to
 * another institution 403 (the deciding institution is the key's, never the body's); an
 * override without a reason, a reason outside the ValueSet or a longer comment 400.
 */
import { DECISION_TEXT_MAX_CHARACTERS, type RecognitionDecision } from '@yilian/contracts';
import { DECLINE_REASON_SYSTEM, declineReason, type ReasonCoding } from '@yilian/recognition';
import { FhirHttpError } from '@yilian/runtime';
import type { IssuedCard } from './cds-cards.store';
import type { CdsFeedback } from './cds-hooks.types';

export interface FeedbackDecision {
  /** The feedback entry's position (for the error's path). */
  readonly index: number;
  readonly card: IssuedCard;
  readonly decision: RecognitionDecision;
  readonly reason?: ReasonCoding;
  readonly text?: string;
}

export function feedbackDecisions(
  feedback: readonly CdsFeedback[],
  issued: ReadonlyMap<string, IssuedCard>,
  who: { readonly serviceId: string; readonly requester: string },
): FeedbackDecision[] {
  return feedback.map((f, index) => {
    const at = `feedback[${index}]`;
    const card = issued.get(f.card.toLowerCase());
    if (!card || card.serviceId !== who.serviceId)
      throw FhirHttpError.of(
        404,
        'not-found',
        `${at}.card: no card of this id was issued by service ${who.serviceId}`,
        `${at}.card`,
      );
    if (card.requester !== who.requester)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `${at}.card: the card was issued to another institution; only the institution it was issued to decides on it`,
        `${at}.card`,
      );
    if (f.outcome === 'accepted') return { index, card, decision: 'recognised' };
    const coding = f.overrideReason?.reason;
    if (!coding)
      throw FhirHttpError.of(
        400,
        'required',
        `${at}.overrideReason.reason: an override is recorded as a decline, which needs a reason of the card's overrideReasons`,
        `${at}.overrideReason.reason`,
      );
    const reason = declineReason(coding.code);
    if (!reason || (coding.system !== undefined && coding.system !== DECLINE_REASON_SYSTEM))
      throw FhirHttpError.of(
        400,
        'code-invalid',
        `${at}.overrideReason.reason: not a code of the card's overrideReasons (${DECLINE_REASON_SYSTEM})`,
        `${at}.overrideReason.reason`,
      );
    const text = f.overrideReason?.userComment;
    const characters = text === undefined ? 0 : [...text].length;
    if (characters > DECISION_TEXT_MAX_CHARACTERS)
      throw FhirHttpError.of(
        400,
        'value',
        `${at}.overrideReason.userComment: at most ${DECISION_TEXT_MAX_CHARACTERS} characters (got ${characters})`,
        `${at}.overrideReason.userComment`,
      );
    return { index, card, decision: 'declined', reason, ...(text ? { text } : {}) };
  });
}
