/**
 * Appending what a plan decided: read the rule stream → plan against it → append with the
 * expected revision. A concurrent load makes the store refuse the revision; the plan is then
 * made again on the new history (three attempts). Event ids derive from the stream, the
 * revision followed and the content (as alliance events' do), so a retried append is
 * recognised by the store.
 */
import {
  canonicalJson,
  deterministicEventId,
  type EventSource,
  type NewEvent,
  type RecordedEvent,
} from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import type { PlannedEvent } from './load-plan';

/** Who loaded the file (the operator, from its key), under which request. */
export interface LoadSource extends EventSource {
  readonly correlationId: string;
}

const ATTEMPTS = 3;

export function ruleEvent(
  stream: string,
  after: number,
  event: PlannedEvent,
  source: LoadSource,
  occurredAt: string,
): NewEvent {
  const { correlationId, ...origin } = source;
  return {
    id: deterministicEventId(stream, String(after), event.type, canonicalJson(event.data)),
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { source: origin, correlationId, occurredAt },
  };
}

/** Plans against the stream and appends what the plan says; the plan and how many events were
 * appended (0: the stream already said all of it). */
export async function loadIntoStream<P extends { readonly events: readonly PlannedEvent[] }>(
  store: EventStore,
  stream: string,
  plan: (history: readonly RecordedEvent[]) => P,
  source: LoadSource,
  occurredAt: string,
): Promise<P & { readonly appended: number }> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(stream);
    const planned = plan(history);
    if (planned.events.length === 0) return { ...planned, appended: 0 };
    const events = planned.events.map((e, i) => ruleEvent(stream, history.length + i, e, source, occurredAt));
    try {
      await store.append(stream, events, history.length === 0 ? 'no_stream' : BigInt(history.length - 1));
      return { ...planned, appended: events.length };
    } catch (e) {
      if (attempt >= ATTEMPTS || !(e instanceof Error && e.name === 'WrongExpectedRevisionError')) throw e;
    }
  }
}
