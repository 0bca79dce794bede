/**
 * An identity command to durable events: load `patient-{key}` (and the state of the key a rule
 * looks at) → decide → append with the expected revision. Split in two, like the lab report
 * handler, so a message that carries several commands is decided in full before anything is
 * appended. Every event carries its stream's key as `metadata.patientKey` (the Kafka key): one
 * key's events stay in order on one partition.
 *
 * Event ids come from the stream, the revision they follow and their content: the same
 * decision taken twice (a retry, two racing resends) is one event. A message already handled
 * (same institution, protocol and message id, same kind of event in the stream) decides
 * nothing again, so a resend gets the same answer even when the state moved on since.
 */
import {
  canonicalJson,
  deterministicEventId,
  type EventSource,
  type NewEvent,
  patientStream,
  type PatientEvent,
  PATIENT_EVENT_SCHEMA_VERSION,
  type RecordedEvent,
} from '@yilian/contracts';
import type { EventStore, ExpectedRevision } from '@yilian/event-store';
import { type PatientIdentityCommand, subjectKeyOf, targetKeyOf } from './patient-identity.commands';
import { decidePatientIdentity } from './patient-identity.decider';
import { type PatientIdentityState, patientIdentityStateFrom } from './patient-identity.state';

/** Who asked, under which message, when. */
export interface IdentitySource extends EventSource {
  readonly correlationId: string;
}

export type DecidedIdentity =
  | {
      readonly kind: 'append';
      readonly stream: string;
      readonly expected: ExpectedRevision;
      readonly events: readonly NewEvent[];
    }
  | {
      readonly kind: 'nothing';
      readonly stream: string;
      /** The stream's state the decision was taken on (what makes the command a no-op). */
      readonly state: PatientIdentityState;
    };

const PRODUCES: { readonly [T in PatientIdentityCommand['type']]: readonly PatientEvent['type'][] } = {
  LinkIdentifiers: ['PatientIdentifiersLinked'],
  MergePatients: ['PatientsMerged'],
  SeparatePatients: ['PatientsUnmerged', 'PatientIdentifiersUnlinked'],
  RecordDemographics: ['PatientDemographicsRecorded'],
};

function handledBefore(
  history: readonly RecordedEvent[],
  command: PatientIdentityCommand,
  source: EventSource,
) {
  const types: readonly string[] = PRODUCES[command.type];
  return history.some(
    (e) =>
      types.includes(e.type) &&
      e.metadata.source.institution === source.institution &&
      e.metadata.source.protocol === source.protocol &&
      e.metadata.source.messageId === source.messageId,
  );
}

/** Load → decide. Throws PatientIdentityRejection when a rule is broken. */
export async function decidePatientIdentityCommand(
  store: EventStore,
  command: PatientIdentityCommand,
  source: IdentitySource,
  now: string,
): Promise<DecidedIdentity> {
  const key = subjectKeyOf(command);
  const stream = patientStream(key);
  const targetKey = targetKeyOf(command);
  const [history, targetHistory] = await Promise.all([
    store.readStream(stream),
    targetKey ? store.readStream(patientStream(targetKey)) : Promise.resolve([]),
  ]);
  const state = patientIdentityStateFrom(history);
  if (handledBefore(history, command, source)) return { kind: 'nothing', stream, state };
  const target = targetKey ? patientIdentityStateFrom(targetHistory) : undefined;
  const decided = decidePatientIdentity(command, state, target);
  if (decided.length === 0) return { kind: 'nothing', stream, state };
  const { correlationId, ...origin } = source;
  const events = decided.map((event, i): NewEvent => ({
    id: deterministicEventId(stream, String(history.length + i), event.type, canonicalJson(event.data)),
    type: event.type,
    schemaVersion: PATIENT_EVENT_SCHEMA_VERSION,
    data: event.data,
    metadata: { source: origin, patientKey: key, correlationId, occurredAt: now },
  }));
  return {
    kind: 'append',
    stream,
    expected: history.length === 0 ? 'no_stream' : BigInt(history.length - 1),
    events,
  };
}

/** Appends a decision with its expected revision; resolves once durable. */
export async function appendDecidedIdentity(
  store: EventStore,
  decided: DecidedIdentity,
): Promise<readonly RecordedEvent[]> {
  if (decided.kind === 'nothing') return [];
  const result = await store.append(decided.stream, decided.events, decided.expected);
  return result.alreadyRecorded ? [] : result.events;
}

export function isRevisionConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'WrongExpectedRevisionError';
}

const ATTEMPTS = 3;

/** Decides every command, then appends every decision in order: nothing is appended when any
 * command is refused. On a concurrent append (or two commands of one message on one stream)
 * the whole message is decided again on the new history: what was appended is recognised. */
export async function handlePatientIdentityCommands(
  store: EventStore,
  commands: readonly PatientIdentityCommand[],
  source: IdentitySource,
  now: string,
): Promise<readonly RecordedEvent[]> {
  const recorded: RecordedEvent[] = [];
  for (let attempt = 1; ; attempt++) {
    const decided: DecidedIdentity[] = [];
    for (const command of commands)
      decided.push(await decidePatientIdentityCommand(store, command, source, now));
    try {
      for (const d of decided) recorded.push(...(await appendDecidedIdentity(store, d)));
      return recorded;
    } catch (error) {
      if (!isRevisionConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
