/**
 * The CDS Hooks feedback recorded as recognition decisions — the default CDS_FEEDBACK_HANDLER.
 * Each entry's card is looked up (cds-cards.store.ts) and mapped (cds-feedback.mapping.ts); the
 * decision then goes through the one decisions path, `handleRecognitionDecision` and its decider
 * (libs/recognition/src/decisions), as the console's JSON decision and the intake's FHIR Task do:
 * the deciding institution is the key's, the patient must be one it has a part in (PatientAccess,
 * as the console's decision), the result must be recognisable for it now, a second decision on
 * the same result and encounter is the next version and the very same one again records nothing.
 *
 * Several entries, all or nothing: every entry is checked first — its card, its reason and
 * comment, the access, and the decider's verdict on the result as recognition judges it now —
 * and the first refusal answers the whole request (4xx naming `feedback[i]`) before any decision
 * is recorded; only then are they recorded, in the order sent. (The feedback answer stays the
 * spec's: 200 with an empty object; the spec has no per-entry answer.) What the pre-check cannot
 * cover is a rule change between it and the append, milliseconds later: then the entries before
 * the refused one stay recorded, and the answer still names the refused entry.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import {
  DECLINE_REASON_KEYS,
  decideRecognitionDecision,
  DecisionRejection,
  type EligibilityAnswer,
  handleRecognitionDecision,
  initialDecisionState,
  RecognitionEligibility,
} from '@yilian/recognition';
import { FhirHttpError } from '@yilian/runtime';
import { PatientAccess } from '../access/patient-access';
import { CdsCardStore } from './cds-cards.store';
import type { CdsFeedbackHandler, CdsFeedbackReceived } from './cds-feedback.port';
import { type FeedbackDecision, feedbackDecisions } from './cds-feedback.mapping';
import { CDS_ELIGIBILITY } from './cds-hooks.service';

@Injectable()
export class CdsFeedbackDecisions implements CdsFeedbackHandler {
  constructor(
    @Inject(CdsCardStore) private readonly cards: CdsCardStore,
    @Inject(PatientAccess) private readonly access: PatientAccess,
    @Inject(CDS_ELIGIBILITY) private readonly eligibility: RecognitionEligibility,
    @Optional() @Inject(EVENT_STORE) private readonly store?: EventStore,
  ) {}

  async onFeedback(received: CdsFeedbackReceived): Promise<void> {
    const store = this.store;
    if (!store)
      throw FhirHttpError.of(
        501,
        'not-supported',
        'this platform-api records no decisions (no EVENT_STORE_URL); feedback is not recorded',
      );
    const issued = await this.cards.find(received.feedback.map((f) => f.card));
    const planned = feedbackDecisions(received.feedback, issued, received);
    const now = received.receivedAt;
    const patients = [...new Set(planned.map((p) => p.card.patientKey))];
    const answers = new Map<string, EligibilityAnswer>();
    for (const patientKey of patients) {
      await this.access.require(received.client, patientKey);
      answers.set(
        patientKey,
        await this.eligibility.eligibility({ patientKey, requester: received.requester, asOf: now }),
      );
    }
    // all or nothing: the decider's verdict on every entry before any is recorded
    for (const p of planned) {
      const eligibility = answers
        .get(p.card.patientKey)!
        .results.find((r) => r.resultStream === p.card.resultStream);
      try {
        decideRecognitionDecision(
          { ...commandOf(p, received.requester, now), type: 'RecordRecognitionDecision', eligibility },
          initialDecisionState,
          DECLINE_REASON_KEYS,
        );
      } catch (e) {
        throw refusal(p, e);
      }
    }
    for (const p of planned) {
      const messageId = `cds-hooks/${randomUUID()}`;
      try {
        await handleRecognitionDecision(
          { store, eligibility: this.eligibility, allowedReasons: DECLINE_REASON_KEYS },
          {
            ...commandOf(p, received.requester, now),
            patientKey: p.card.patientKey,
            source: { institution: received.requester, messageId, protocol: 'hub' },
            correlationId: `cds-card/${p.card.uuid}`,
          },
        );
      } catch (e) {
        throw refusal(p, e);
      }
    }
  }
}

function commandOf(p: FeedbackDecision, institution: string, now: Date) {
  return {
    institution,
    resultStream: p.card.resultStream,
    resource: `${p.card.resultType}/${p.card.resultId}`,
    decision: p.decision,
    ...(p.card.encounter ? { encounter: p.card.encounter } : {}),
    ...(p.card.practitioner ? { practitioner: p.card.practitioner } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
    ...(p.text ? { text: p.text } : {}),
    now: now.toISOString(),
  };
}

/** The decider's refusal as the CDS answer: 422 with its reason, naming the entry's attribute. */
function refusal(p: FeedbackDecision, e: unknown): unknown {
  if (!(e instanceof DecisionRejection)) return e;
  const at = `feedback[${p.index}]`;
  const path =
    e.field === 'text'
      ? `${at}.overrideReason.userComment`
      : e.field === 'reason'
        ? `${at}.overrideReason.reason`
        : `${at}.card`;
  return FhirHttpError.of(
    422,
    e.code === 'not-recognisable' || e.code === 'unknown-result' ? 'processing' : 'value',
    `${path}: ${e.message}`,
    path,
  );
}
