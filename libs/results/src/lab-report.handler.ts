import { labReportStream, type RecordedEvent } from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
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

/** Load stream → decide → append with expected revision. Resolves only once the append is
 * durable (or the fact is known to be recorded already). */
export async function handleRecordLabReport(
  store: EventStore,
  command: RecordLabReport,
): Promise<RecordOutcome> {
  const stream = labReportStream(command.performer, command.accession);
  const history = await store.readStream(stream);
  const resent = history.find((e) => e.id === command.eventId);
  if (resent) return { stream, event: resent, version: history.indexOf(resent) + 1, duplicate: true };
  const state = history.reduce(evolveLabReport, initialLabReportState);
  const events = decideLabReport(command, state);
  if (events.length === 0) {
    return { stream, event: history[history.length - 1], version: history.length, duplicate: true };
  }
  const expected = history.length === 0 ? 'no_stream' : BigInt(history.length - 1);
  const result = await store.append(stream, events, expected);
  const last = result.events[result.events.length - 1]!;
  return { stream, event: last, version: Number(last.streamPosition) + 1, duplicate: result.alreadyRecorded };
}
