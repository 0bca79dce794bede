import {
  canonicalJson,
  type LinkReason,
  parsePatientEvent,
  type PatientDemographics,
  type PatientEvent,
  sha256Hex,
} from '@yilian/contracts';

/** What one key's stream says: whom it is linked to, whom it is merged into, and the last
 * demographics each institution recorded for it (as a hash: enough to recognise a repeat). */
export interface PatientIdentityState {
  readonly link?: { readonly patientKey: string; readonly reason: LinkReason };
  readonly merge?: { readonly survivorKey: string; readonly institution: string };
  readonly demographics: Readonly<Record<string, string>>;
}

export function initialPatientIdentityState(): PatientIdentityState {
  return { demographics: {} };
}

export function demographicsHash(demographics: PatientDemographics): string {
  return sha256Hex(canonicalJson(demographics));
}

export function evolvePatientIdentity(
  state: PatientIdentityState,
  event: PatientEvent,
): PatientIdentityState {
  switch (event.type) {
    case 'PatientIdentifiersLinked':
      return { ...state, link: { patientKey: event.data.patientKey, reason: event.data.reason } };
    case 'PatientIdentifiersUnlinked': {
      const { link: _withdrawn, ...rest } = state;
      return rest;
    }
    case 'PatientsMerged':
      return {
        ...state,
        merge: { survivorKey: event.data.survivorKey, institution: event.data.institution },
      };
    case 'PatientsUnmerged': {
      const { merge: _reversed, ...rest } = state;
      return rest;
    }
    case 'PatientDemographicsRecorded':
      return {
        ...state,
        demographics: {
          ...state.demographics,
          [event.data.institution]: demographicsHash(event.data.demographics),
        },
      };
  }
}

/** The state of a recorded stream; an event that does not fit its contract is a bug: throws. */
export function patientIdentityStateFrom(
  recorded: readonly { readonly type: string; readonly schemaVersion: number; readonly data: unknown }[],
): PatientIdentityState {
  return recorded.reduce((state, envelope) => {
    const parsed = parsePatientEvent(envelope);
    if (!parsed.ok)
      throw new Error(`patient stream holds an invalid ${envelope.type}: ${parsed.problems[0]}`);
    return evolvePatientIdentity(state, parsed.event);
  }, initialPatientIdentityState());
}
