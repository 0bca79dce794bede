import type {
  AdmitInstitution,
  AllianceCommand,
  RegisterAlliance,
  RemoveInstitution,
} from './alliance.commands';
import { initialAllianceState, evolveAlliance, memberOf, type AllianceState } from './alliance.state';
import {
  ALLIANCE_REGISTERED,
  checkAllianceRegisteredV1,
  checkInstitutionJoinedAllianceV1,
  checkInstitutionLeftAllianceV1,
  INSTITUTION_JOINED_ALLIANCE,
  INSTITUTION_LEFT_ALLIANCE,
  type AllianceEvent,
  type AllianceRegisteredV1,
  type DataCheck,
  type InstitutionJoinedAllianceV1,
  type InstitutionLeftAllianceV1,
} from './contracts';

export type AllianceRejectionCode =
  | 'not-found'
  | 'already-exists'
  | 'already-member'
  | 'not-member'
  | 'lead-exists'
  | 'lead-cannot-leave'
  | 'validation';

/** A command the alliance's rules refuse; nothing is recorded. */
export class AllianceRejection extends Error {
  constructor(
    readonly code: AllianceRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'AllianceRejection';
  }
}

function validated<T>(check: DataCheck, data: T, command: AllianceCommand): T {
  const problems = check(data, command.type);
  if (problems.length > 0) throw new AllianceRejection('validation', problems.join('; '));
  return data;
}

function registered(state: AllianceState, allianceId: string) {
  if (state.status !== 'registered') throw new AllianceRejection('not-found', `no alliance ${allianceId}`);
  return state;
}

/** Registering the same alliance again with the same terms is a resend: nothing new. */
export function registerAlliance(command: RegisterAlliance, state: AllianceState): AllianceEvent[] {
  const data = validated<AllianceRegisteredV1>(
    checkAllianceRegisteredV1,
    {
      allianceId: command.allianceId,
      name: command.name,
      form: command.form,
      referralResponseHours: command.referralResponseHours,
      registeredAt: command.now,
    },
    command,
  );
  if (state.status === 'registered') {
    const same =
      state.name === data.name &&
      state.form === data.form &&
      state.referralResponseHours === data.referralResponseHours;
    if (same) return [];
    throw new AllianceRejection('already-exists', `alliance ${command.allianceId} is already registered`);
  }
  return [{ type: ALLIANCE_REGISTERED, data }];
}

/** One membership per institution; one lead per alliance. The same admission again is a resend.
 * A change of level or role is not an admission (a later event type). */
export function admitInstitution(command: AdmitInstitution, state: AllianceState): AllianceEvent[] {
  const data = validated<InstitutionJoinedAllianceV1>(
    checkInstitutionJoinedAllianceV1,
    {
      allianceId: command.allianceId,
      institution: command.institution,
      name: command.name,
      level: command.level,
      role: command.role,
      joinedAt: command.now,
    },
    command,
  );
  const alliance = registered(state, command.allianceId);
  const existing = memberOf(alliance, command.institution);
  if (existing) {
    if (existing.name === data.name && existing.level === data.level && existing.role === data.role)
      return [];
    throw new AllianceRejection(
      'already-member',
      `${command.institution} is already a member of ${command.allianceId} (${existing.level}, ${existing.role})`,
    );
  }
  const lead = alliance.members.find((m) => m.role === 'lead');
  if (data.role === 'lead' && lead) {
    throw new AllianceRejection('lead-exists', `${command.allianceId} is already led by ${lead.institution}`);
  }
  return [{ type: INSTITUTION_JOINED_ALLIANCE, data }];
}

/** Removing an institution that already left is a resend; one that never joined is refused.
 * The lead leaves last: an alliance with members keeps its lead. */
export function removeInstitution(command: RemoveInstitution, state: AllianceState): AllianceEvent[] {
  const data = validated<InstitutionLeftAllianceV1>(
    checkInstitutionLeftAllianceV1,
    {
      allianceId: command.allianceId,
      institution: command.institution,
      leftAt: command.now,
      ...(command.reason !== undefined ? { reason: command.reason } : {}),
    },
    command,
  );
  const alliance = registered(state, command.allianceId);
  const member = memberOf(alliance, command.institution);
  if (!member) {
    if (alliance.formerMembers.includes(command.institution)) return [];
    throw new AllianceRejection(
      'not-member',
      `${command.institution} is not a member of ${command.allianceId}`,
    );
  }
  if (member.role === 'lead' && alliance.members.length > 1) {
    throw new AllianceRejection(
      'lead-cannot-leave',
      `the lead ${command.institution} leaves after the other members`,
    );
  }
  return [{ type: INSTITUTION_LEFT_ALLIANCE, data }];
}

export function decideAlliance(command: AllianceCommand, state: AllianceState): AllianceEvent[] {
  switch (command.type) {
    case 'RegisterAlliance':
      return registerAlliance(command, state);
    case 'AdmitInstitution':
      return admitInstitution(command, state);
    case 'RemoveInstitution':
      return removeInstitution(command, state);
    default: {
      const unknown: never = command;
      throw new AllianceRejection('validation', `unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export const allianceDecider = {
  decide: decideAlliance,
  evolve: evolveAlliance,
  initialState: initialAllianceState,
};
