import {
  ALLIANCE_REGISTERED,
  INSTITUTION_JOINED_ALLIANCE,
  INSTITUTION_LEFT_ALLIANCE,
  type AllianceEvent,
  type AllianceForm,
  type AllianceRole,
  type InstitutionLevel,
} from './contracts';

export interface AllianceMember {
  readonly institution: string;
  readonly name: string;
  readonly level: InstitutionLevel;
  readonly role: AllianceRole;
  readonly joinedAt: string;
}

export interface RegisteredAlliance {
  readonly status: 'registered';
  readonly allianceId: string;
  readonly name: string;
  readonly form: AllianceForm;
  readonly referralResponseHours: number;
  readonly registeredAt: string;
  /** Current members, in the order they joined. */
  readonly members: readonly AllianceMember[];
  /** Institutions that were members and left (a resent removal is then recognised). */
  readonly formerMembers: readonly string[];
}

export type AllianceState = { readonly status: 'none' } | RegisteredAlliance;

export function initialAllianceState(): AllianceState {
  return { status: 'none' };
}

export function memberOf(state: AllianceState, institution: string): AllianceMember | undefined {
  return state.status === 'registered' ? state.members.find((m) => m.institution === institution) : undefined;
}

/** Total: an event that does not fit the state (never produced by the decider) changes nothing. */
export function evolveAlliance(state: AllianceState, event: AllianceEvent): AllianceState {
  switch (event.type) {
    case ALLIANCE_REGISTERED: {
      if (state.status !== 'none') return state;
      const { allianceId, name, form, referralResponseHours, registeredAt } = event.data;
      return {
        status: 'registered',
        allianceId,
        name,
        form,
        referralResponseHours,
        registeredAt,
        members: [],
        formerMembers: [],
      };
    }
    case INSTITUTION_JOINED_ALLIANCE: {
      if (state.status !== 'registered') return state;
      const { institution, name, level, role, joinedAt } = event.data;
      return {
        ...state,
        members: [
          ...state.members.filter((m) => m.institution !== institution),
          { institution, name, level, role, joinedAt },
        ],
        formerMembers: state.formerMembers.filter((code) => code !== institution),
      };
    }
    case INSTITUTION_LEFT_ALLIANCE: {
      if (state.status !== 'registered') return state;
      const { institution } = event.data;
      if (!memberOf(state, institution)) return state;
      return {
        ...state,
        members: state.members.filter((m) => m.institution !== institution),
        formerMembers: [...state.formerMembers, institution],
      };
    }
    default:
      return ignoreUnknown(event, state);
  }
}

/** Exhaustive at compile time; at run time an unknown event leaves the state as it was. */
function ignoreUnknown(_event: never, state: AllianceState): AllianceState {
  return state;
}
