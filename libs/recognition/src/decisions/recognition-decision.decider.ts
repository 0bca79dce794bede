/**
 * Decisions on existing results (issue 12): only the requesting institution decides (the
 * handler takes it from the credential), only on a result recognisable for it at that moment;
 * a decline carries a reason from the decline-reason ValueSet; the text is at most 200
 * characters; a second decision on the same result and encounter is the next version, and the
 * very same decision again records nothing.
 */
import {
  DECISION_TEXT_MAX_CHARACTERS,
  RECOGNITION_DECISION_RECORDED,
  type RecognitionDecisionRecordedV1,
} from '@yilian/contracts';
import type { RecordRecognitionDecision } from './recognition-decision.commands';

export type DecisionRejectionCode =
  | 'unknown-result'
  | 'not-recognisable'
  | 'reason-required'
  | 'unknown-reason'
  | 'text-too-long'
  | 'reason-not-allowed';

export class DecisionRejection extends Error {
  constructor(
    readonly code: DecisionRejectionCode,
    message: string,
    /** The field at fault, as the caller sent it. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'DecisionRejection';
  }
}

export interface DecisionState {
  readonly versions: number;
  readonly last?: RecognitionDecisionRecordedV1;
}

export const initialDecisionState: DecisionState = { versions: 0 };

export function evolveDecision(
  state: DecisionState,
  event: { readonly type: string; readonly data: unknown },
): DecisionState {
  if (event.type !== RECOGNITION_DECISION_RECORDED) return state;
  return { versions: state.versions + 1, last: event.data as RecognitionDecisionRecordedV1 };
}

/** `system|code` of every reason the ValueSet allows. */
export type AllowedReasons = ReadonlySet<string>;

function sameDecision(
  a: RecognitionDecisionRecordedV1,
  b: Omit<RecognitionDecisionRecordedV1, 'version' | 'decidedAt'>,
): boolean {
  return (
    a.decision === b.decision &&
    a.reason?.system === b.reason?.system &&
    a.reason?.code === b.reason?.code &&
    (a.text ?? '') === (b.text ?? '') &&
    a.resultVersion === b.resultVersion &&
    (a.practitioner ?? '') === (b.practitioner ?? '')
  );
}

export function decideRecognitionDecision(
  command: RecordRecognitionDecision,
  state: DecisionState,
  allowedReasons: AllowedReasons,
): { readonly type: typeof RECOGNITION_DECISION_RECORDED; readonly data: RecognitionDecisionRecordedV1 }[] {
  const e = command.eligibility;
  if (
    !e ||
    e.resultStream !== command.resultStream ||
    `${e.resourceType}/${e.resourceId}` !== command.resource
  )
    throw new DecisionRejection(
      'unknown-result',
      `${command.resource} is not a result of this patient that the hub holds`,
      'resource',
    );
  if (e.status !== 'recognisable' || !e.scope || !e.validUntil)
    throw new DecisionRejection(
      'not-recognisable',
      `${command.resource} is not recognisable for ${command.institution} now (${e.reasons.join(', ')}): there is nothing to decide; order the test`,
      'resource',
    );
  if (command.decision === 'declined' && !command.reason)
    throw new DecisionRejection(
      'reason-required',
      'a decline needs a reason from the decline-reason ValueSet',
      'reason',
    );
  if (command.decision === 'recognised' && command.reason)
    throw new DecisionRejection('reason-not-allowed', 'a recognition carries no decline reason', 'reason');
  if (command.reason && !allowedReasons.has(`${command.reason.system}|${command.reason.code}`))
    throw new DecisionRejection(
      'unknown-reason',
      `${command.reason.system}|${command.reason.code} is not in the decline-reason ValueSet`,
      'reason',
    );
  const characters = command.text === undefined ? 0 : [...command.text].length;
  if (characters > DECISION_TEXT_MAX_CHARACTERS)
    throw new DecisionRejection(
      'text-too-long',
      `text: at most ${DECISION_TEXT_MAX_CHARACTERS} characters (got ${characters})`,
      'text',
    );

  const decided = {
    institution: command.institution,
    ...(command.practitioner ? { practitioner: command.practitioner } : {}),
    ...(command.encounter ? { encounter: command.encounter } : {}),
    resultStream: command.resultStream,
    resultVersion: e.version,
    resource: command.resource,
    performer: e.performer,
    items: e.items
      .filter((i) => i.status === 'recognisable')
      .map((i) => ({
        code: i.item.catalogueItemCode,
        name: i.item.name,
        ...(i.item.priceYuan !== undefined ? { priceYuan: i.item.priceYuan } : {}),
      })),
    decision: command.decision,
    ...(command.reason ? { reason: command.reason } : {}),
    ...(command.text ? { text: command.text } : {}),
    scope: e.scope,
    validUntil: e.validUntil,
  };
  if (state.last && sameDecision(state.last, decided)) return [];
  return [
    {
      type: RECOGNITION_DECISION_RECORDED,
      data: { ...decided, version: state.versions + 1, decidedAt: command.now },
    },
  ];
}
