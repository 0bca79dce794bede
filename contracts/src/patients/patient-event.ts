/**
 * The patient identity events as the decider produces them (`{type, data}`) and as consumers
 * read them back from recorded envelopes: every type, its schema version, and a parser that
 * checks the data against the event's schema.
 */
import type { DataCheck } from '../referrals/schema';
import {
  checkPatientDemographicsRecordedV1,
  PATIENT_DEMOGRAPHICS_RECORDED,
  type PatientDemographicsRecordedV1,
} from './patient-demographics-recorded.v1';
import {
  checkPatientIdentifiersLinkedV1,
  PATIENT_IDENTIFIERS_LINKED,
  type PatientIdentifiersLinkedV1,
} from './patient-identifiers-linked.v1';
import {
  checkPatientIdentifiersUnlinkedV1,
  PATIENT_IDENTIFIERS_UNLINKED,
  type PatientIdentifiersUnlinkedV1,
} from './patient-identifiers-unlinked.v1';
import { checkPatientsMergedV1, PATIENTS_MERGED, type PatientsMergedV1 } from './patients-merged.v1';
import { checkPatientsUnmergedV1, PATIENTS_UNMERGED, type PatientsUnmergedV1 } from './patients-unmerged.v1';

export type PatientEvent =
  | { readonly type: typeof PATIENT_IDENTIFIERS_LINKED; readonly data: PatientIdentifiersLinkedV1 }
  | { readonly type: typeof PATIENT_IDENTIFIERS_UNLINKED; readonly data: PatientIdentifiersUnlinkedV1 }
  | { readonly type: typeof PATIENTS_MERGED; readonly data: PatientsMergedV1 }
  | { readonly type: typeof PATIENTS_UNMERGED; readonly data: PatientsUnmergedV1 }
  | { readonly type: typeof PATIENT_DEMOGRAPHICS_RECORDED; readonly data: PatientDemographicsRecordedV1 };

export type PatientEventType = PatientEvent['type'];

/** Every patient event is at schema version 1; the envelope's `schemaVersion`. */
export const PATIENT_EVENT_SCHEMA_VERSION = 1;

const CHECKS: { readonly [T in PatientEventType]: DataCheck } = {
  [PATIENT_IDENTIFIERS_LINKED]: checkPatientIdentifiersLinkedV1,
  [PATIENT_IDENTIFIERS_UNLINKED]: checkPatientIdentifiersUnlinkedV1,
  [PATIENTS_MERGED]: checkPatientsMergedV1,
  [PATIENTS_UNMERGED]: checkPatientsUnmergedV1,
  [PATIENT_DEMOGRAPHICS_RECORDED]: checkPatientDemographicsRecordedV1,
};

export const PATIENT_EVENT_TYPES = Object.keys(CHECKS) as readonly PatientEventType[];

export function isPatientEventType(type: string): type is PatientEventType {
  return Object.hasOwn(CHECKS, type);
}

export type ParsedPatientEvent =
  | { readonly ok: true; readonly event: PatientEvent }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Reads a recorded (or Kafka) event back as a PatientEvent, checking type, version and data. */
export function parsePatientEvent(event: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}): ParsedPatientEvent {
  if (!isPatientEventType(event.type))
    return { ok: false, problems: [`type: not a patient event: ${event.type}`] };
  if (event.schemaVersion !== PATIENT_EVENT_SCHEMA_VERSION)
    return { ok: false, problems: [`schemaVersion: ${event.type} has no version ${event.schemaVersion}`] };
  const problems = CHECKS[event.type](event.data, 'data');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, event: { type: event.type, data: event.data } as PatientEvent };
}
