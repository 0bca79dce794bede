import { createHash, randomUUID } from 'node:crypto';
import {
  recognitionDecisionStream,
  type EventSource,
  type NewEvent,
  type RecordedEvent,
} from '@yilian/contracts';
import { WrongExpectedRevisionError, type EventStore } from '@yilian/event-store';
import type { EligibilityService } from '../eligibility.types';
import type { RecordRecognitionDecision } from './recognition-decision.commands';
import {
  decideRecognitionDecision,
  evolveDecision,
  initialDecisionState,
  type AllowedReasons,
} from './recognition-decision.decider';

export interface DecisionOutcome {
  readonly stream: string;
  /** The decision now in force (the one just recorded, or the identical one recorded before). */
  readonly event: RecordedEvent;
  readonly duplicate: boolean;
}

/** Load the decision stream → ask recognition about the result for the deciding institution
 * now → decide → append with the expected revision (a concurrent decision retries once). */
export async function handleRecognitionDecision(
  deps: {
    readonly store: EventStore;
    readonly eligibility: EligibilityService;
    readonly allowedReasons: AllowedReasons;
  },
  input: Omit<RecordRecognitionDecision, 'eligibility' | 'type' | 'resultStream'> & {
    /** The result's stream; when absent, the result is found by `resource` among the patient's. */
    readonly resultStream?: string;
    readonly patientKey: string;
    readonly source: EventSource;
    readonly correlationId: string;
  },
): Promise<DecisionOutcome> {
  const answer = await deps.eligibility.eligibility({
    patientKey: input.patientKey,
    requester: input.institution,
    asOf: new Date(input.now),
  });
  const eligibility = answer.results.find((r) =>
    input.resultStream
      ? r.resultStream === input.resultStream
      : `${r.resourceType}/${r.resourceId}` === input.resource,
  );
  const resultStream = input.resultStream ?? eligibility?.resultStream ?? '';
  const stream = recognitionDecisionStream(input.institution, resultStream, input.encounter);
  const command: RecordRecognitionDecision = {
    ...input,
    resultStream,
    type: 'RecordRecognitionDecision',
    eligibility,
  };
  for (let attempt = 0; ; attempt++) {
    const history = await deps.store.readStream(stream);
    const state = history.reduce(evolveDecision, initialDecisionState);
    const decided = decideRecognitionDecision(command, state, deps.allowedReasons);
    if (decided.length === 0) return { stream, event: history[history.length - 1]!, duplicate: true };
    const events: NewEvent[] = decided.map((e) => ({
      id: randomUUID(),
      type: e.type,
      schemaVersion: 1,
      data: e.data,
      metadata: {
        source: input.source,
        correlationId: input.correlationId,
        occurredAt: input.now,
        patientKey: input.patientKey,
      },
    }));
    try {
      const result = await deps.store.append(
        stream,
        events,
        history.length === 0 ? 'no_stream' : BigInt(history.length - 1),
      );
      return { stream, event: result.events[result.events.length - 1]!, duplicate: false };
    } catch (e) {
      if (attempt >= 1 || !(e instanceof WrongExpectedRevisionError)) throw e;
    }
  }
}

/** The FHIR id of the Task a decision stream is (a digest: the stream names the institution). */
export function decisionTaskId(stream: string): string {
  return `rd-${createHash('sha256').update(stream).digest('hex').slice(0, 40)}`;
}
