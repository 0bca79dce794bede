import {
  guard,
  id,
  instant,
  institutionCode,
  object,
  oneOf,
  text,
  type DataCheck,
} from '../referrals/schema';
import { ALLIANCE_ROLES, INSTITUTION_LEVELS, type AllianceRole, type InstitutionLevel } from './alliance';

export const INSTITUTION_JOINED_ALLIANCE = 'InstitutionJoinedAlliance';

/** An institution became a member of an alliance, at its level and in its role. */
export interface InstitutionJoinedAllianceV1 {
  readonly allianceId: string;
  readonly institution: string;
  readonly name: string;
  readonly level: InstitutionLevel;
  readonly role: AllianceRole;
  readonly joinedAt: string;
}

export const checkInstitutionJoinedAllianceV1: DataCheck = object<InstitutionJoinedAllianceV1>({
  allianceId: id,
  institution: institutionCode,
  name: text({ max: 200 }),
  level: oneOf(INSTITUTION_LEVELS),
  role: oneOf(ALLIANCE_ROLES),
  joinedAt: instant,
});

export const isInstitutionJoinedAllianceV1 = guard<InstitutionJoinedAllianceV1>(
  checkInstitutionJoinedAllianceV1,
);
