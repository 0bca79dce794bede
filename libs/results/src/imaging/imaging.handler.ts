import {
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  imagingStream,
  type NewEvent,
  type RecordedEvent,
} from '@yilian/contracts';
import type { EventStore, ExpectedRevision } from '@yilian/event-store';
import type { ImagingCommand } from './imaging.commands';
import { decideImaging } from './imaging.decider';
import { evolveImaging, initialImagingState } from './imaging.state';

/** Which version of the study and of the report a message's commands stand for. */
export interface ImagingOutcome {
  readonly stream: string;
  readonly studyVersion?: number;
  readonly reportVersion?: number;
  /** Nothing new was appended: a resend, or the same content under a new message id. */
  readonly duplicate: boolean;
}

export type DecidedImaging =
  | {
      readonly kind: 'append';
      readonly stream: string;
      readonly expected: ExpectedRevision;
      readonly events: NewEvent[];
      readonly outcome: ImagingOutcome;
    }
  | { readonly kind: 'known'; readonly outcome: ImagingOutcome };

const TYPE_OF = { RecordImagingStudy: IMAGING_STUDY_RECORDED, RecordImagingReport: IMAGING_REPORT_RECORDED };

/** 1-based version of the event with `id` among the events of its type; else the latest. */
function versionOf(events: readonly { id: string; type: string }[], type: string, id: string): number {
  const ofType = events.filter((e) => e.type === type);
  const at = ofType.findIndex((e) => e.id === id);
  return at >= 0 ? at + 1 : ofType.length;
}

/**
 * Load the stream → decide each command in order (a study before its report), the state
 * moving on with each decided event → what to append, with its expected revision. Commands
 * recorded before (same event id) are skipped. Throws ImagingRejection when a rule is broken.
 * Every command must be about the same study (one stream).
 */
export async function decideImagingCommands(
  store: EventStore,
  commands: readonly ImagingCommand[],
): Promise<DecidedImaging> {
  const first = commands[0];
  if (!first) throw new Error('no imaging command to decide');
  const stream = imagingStream(first.performer, first.accession);
  if (commands.some((c) => imagingStream(c.performer, c.accession) !== stream)) {
    throw new Error('imaging commands of one decision must be about one study');
  }
  const history = await store.readStream(stream);
  let state = history.reduce(evolveImaging, initialImagingState);
  const events: NewEvent[] = [];
  for (const command of commands) {
    if (history.some((e) => e.id === command.eventId)) continue;
    for (const e of decideImaging(command, state)) {
      state = evolveImaging(state, e);
      events.push(e);
    }
  }
  const all: readonly { id: string; type: string }[] = [...history, ...events];
  let outcome: ImagingOutcome = { stream, duplicate: events.length === 0 };
  for (const c of commands) {
    const version = versionOf(all, TYPE_OF[c.type], c.eventId);
    outcome =
      c.type === 'RecordImagingStudy'
        ? { ...outcome, studyVersion: version }
        : { ...outcome, reportVersion: version };
  }
  if (events.length === 0) return { kind: 'known', outcome };
  const expected = history.length === 0 ? 'no_stream' : BigInt(history.length - 1);
  return { kind: 'append', stream, expected, events, outcome };
}

/** Appends a decision with its expected revision; resolves once durable. */
export async function appendDecidedImaging(
  store: EventStore,
  decided: DecidedImaging,
): Promise<ImagingOutcome & { readonly recorded: readonly RecordedEvent[] }> {
  if (decided.kind === 'known') return { ...decided.outcome, recorded: [] };
  const result = await store.append(decided.stream, decided.events, decided.expected);
  return { ...decided.outcome, duplicate: result.alreadyRecorded, recorded: result.events };
}

export async function handleImagingCommands(store: EventStore, commands: readonly ImagingCommand[]) {
  return appendDecidedImaging(store, await decideImagingCommands(store, commands));
}
