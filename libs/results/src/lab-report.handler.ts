import { labReportStream, type NewEvent, type RecordedEvent } from '@yilian/contracts';
import type { EventStore, ExpectedRevision } from '@yilian/event-store';
import type { RecordLabReport } from './lab-report.commands';
import { decideLabReport } from './lab-report.decider';
import { evolveLabReport, initialLabReportState } from './lab-report.state';

export interface RecordOutcome {
  readonly stream: string;
  /** The event that holds this version: newly appended, or recorded before (a resend). */
  readonly event: RecordedEvent | undefined;
  readonly version: number;
  readonly duplicate: boolean;
}

/** A decision not yet appended: what to append where, or the outcome when nothing is new. */
export type DecidedLabReport =
  | {
      readonly kind: 'append';
      readonly stream: string;
      readonly expected: ExpectedRevision;
      readonly events: NewEvent[];
    }
  | { readonly kind: 'known'; readonly outcome: RecordOutcome };

/** Load stream → decide. Throws LabReportRejection when the command breaks a rule. */
export async function decideRecordLabReport(
  store: EventStore,
  command: RecordLabReport,
): Promise<DecidedLabReport> {
  const stream = labReportStream(command.performer, command.accession);
  return decideOnHistory(stream, await store.readStream(stream), command);
}

/** Decides the command as the first version of a report whose stream does not exist yet,
 * without reading it: appended with 'no_stream', so when the stream does exist (a resend, a
 * correction, a duplicate, a concurrent writer) the append fails with a revision conflict and
 * the caller decides again with `decideRecordLabReport`. */
export function decideFirstLabReport(command: RecordLabReport): DecidedLabReport {
  return decideOnHistory(labReportStream(command.performer, command.accession), [], command);
}

function decideOnHistory(
  stream: string,
  history: readonly RecordedEvent[],
  command: RecordLabReport,
): DecidedLabReport {
  const resent = history.find((e) => e.id === command.eventId);
  if (resent) {
    return {
      kind: 'known',
      outcome: { stream, event: resent, version: history.indexOf(resent) + 1, duplicate: true },
    };
  }
  const state = history.reduce(evolveLabReport, initialLabReportState);
  const events = decideLabReport(command, state);
  if (events.length === 0) {
    return {
      kind: 'known',
      outcome: { stream, event: history[history.length - 1], version: history.length, duplicate: true },
    };
  }
  return {
    kind: 'append',
    stream,
    expected: history.length === 0 ? 'no_stream' : BigInt(history.length - 1),
    events,
  };
}

/** Appends a decision with its expected revision; resolves once durable. */
export async function appendDecidedLabReport(
  store: EventStore,
  decided: DecidedLabReport,
): Promise<RecordOutcome> {
  if (decided.kind === 'known') return decided.outcome;
  const result = await store.append(decided.stream, decided.events, decided.expected);
  const last = result.events[result.events.length - 1]!;
  return {
    stream: decided.stream,
    event: last,
    version: Number(last.streamPosition) + 1,
    duplicate: result.alreadyRecorded,
  };
}

export async function handleRecordLabReport(
  store: EventStore,
  command: RecordLabReport,
): Promise<RecordOutcome> {
  return appendDecidedLabReport(store, await decideRecordLabReport(store, command));
}
