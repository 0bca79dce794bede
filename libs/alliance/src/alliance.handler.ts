/**
 * Alliance administration and outpatient volume, from command to durable events: load the
 * stream → decide → append with the expected revision. A concurrent append makes the store
 * refuse the revision; the command is then decided again on the new history (twice at most).
 */
import {
  canonicalJson,
  deterministicEventId,
  type EventSource,
  type NewEvent,
  type RecordedEvent,
} from '@yilian/contracts';
import type { EventStore } from '@yilian/event-store';
import { allianceStream, institutionStream, parseAllianceEvent } from './contracts';
import type { AllianceCommand } from './alliance.commands';
import { decideAlliance } from './alliance.decider';
import { evolveAlliance, initialAllianceState, type AllianceState } from './alliance.state';
import {
  evolveOutpatientVolume,
  outpatientVolumeStateFrom,
  reportOutpatientVolume,
  type OutpatientVolumeState,
  type ReportOutpatientVolume,
} from './outpatient-volume';

/** Who asked, under which message, for the events' metadata. */
export interface CommandSource extends EventSource {
  readonly correlationId: string;
}

export interface Handled<S> {
  readonly state: S;
  /** The events this command appended; empty when it changed nothing (a resend). */
  readonly recorded: readonly RecordedEvent[];
  /** How many events the stream holds after the command. */
  readonly length: number;
}

const ATTEMPTS = 3;

export function allianceStateFrom(
  recorded: readonly { readonly type: string; readonly schemaVersion: number; readonly data: unknown }[],
): AllianceState {
  return recorded.reduce((state, envelope) => {
    const parsed = parseAllianceEvent(envelope);
    if (!parsed.ok)
      throw new Error(`alliance stream holds an invalid ${envelope.type}: ${parsed.problems[0]}`);
    return evolveAlliance(state, parsed.event);
  }, initialAllianceState());
}

/** One event of a decision as the store takes it. The id is derived from the stream, the
 * revision it follows and its content: the same decision retried is recognised by the store. */
export function newEvent(
  stream: string,
  after: number,
  event: { readonly type: string; readonly data: unknown },
  source: CommandSource,
  occurredAt: string,
  patientKey?: string,
): NewEvent {
  const { correlationId, ...origin } = source;
  return {
    id: deterministicEventId(stream, String(after), event.type, canonicalJson(event.data)),
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { source: origin, correlationId, occurredAt, ...(patientKey ? { patientKey } : {}) },
  };
}

export function isRevisionConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'WrongExpectedRevisionError';
}

/** How one aggregate's stream is read, decided on and evolved. */
export interface StreamCommand<S, E extends { readonly type: string; readonly data: unknown }> {
  readonly stream: string;
  stateFrom(history: readonly RecordedEvent[]): S;
  decide(state: S): E[];
  evolve(state: S, event: E): S;
  readonly source: CommandSource;
  readonly now: string;
  /** The patient the events are about (metadata, Kafka key), from the state and the events. */
  patientKeyOf?(state: S, events: readonly E[]): string | undefined;
}

/** Load stream → decide → append with the expected revision, retried on a concurrent append. */
export async function decideAndAppend<S, E extends { readonly type: string; readonly data: unknown }>(
  store: EventStore,
  command: StreamCommand<S, E>,
): Promise<Handled<S>> {
  const { stream, source, now } = command;
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(stream);
    const state = command.stateFrom(history);
    const events = command.decide(state);
    if (events.length === 0) return { state, recorded: [], length: history.length };
    const expected = history.length === 0 ? 'no_stream' : BigInt(history.length - 1);
    const patientKey = command.patientKeyOf?.(state, events);
    const batch = events.map((e, i) => newEvent(stream, history.length + i, e, source, now, patientKey));
    try {
      const result = await store.append(stream, batch, expected);
      const after = events.reduce((s, e) => command.evolve(s, e), state);
      return { state: after, recorded: result.events, length: Number(result.nextExpectedRevision) + 1 };
    } catch (error) {
      if (!isRevisionConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** Throws AllianceRejection when the command breaks a rule; nothing is appended then. */
export function handleAllianceCommand(
  store: EventStore,
  command: AllianceCommand,
  source: CommandSource,
): Promise<Handled<AllianceState>> {
  return decideAndAppend(store, {
    stream: allianceStream(command.allianceId),
    stateFrom: allianceStateFrom,
    decide: (state: AllianceState) => decideAlliance(command, state),
    evolve: evolveAlliance,
    source,
    now: command.now,
  });
}

export function handleReportOutpatientVolume(
  store: EventStore,
  command: ReportOutpatientVolume,
  source: CommandSource,
): Promise<Handled<OutpatientVolumeState>> {
  return decideAndAppend(store, {
    stream: institutionStream(command.institution),
    stateFrom: outpatientVolumeStateFrom,
    decide: (state: OutpatientVolumeState) => reportOutpatientVolume(command, state),
    evolve: evolveOutpatientVolume,
    source,
    now: command.now,
  });
}
