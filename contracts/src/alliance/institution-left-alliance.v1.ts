import {
  guard,
  id,
  instant,
  institutionCode,
  object,
  optional,
  text,
  type DataCheck,
} from '../referrals/schema';

export const INSTITUTION_LEFT_ALLIANCE = 'InstitutionLeftAlliance';

/** An institution stopped being a member; referrals to or from it through this alliance are no
 * longer possible (those already requested go on). */
export interface InstitutionLeftAllianceV1 {
  readonly allianceId: string;
  readonly institution: string;
  readonly leftAt: string;
  readonly reason?: string;
}

export const checkInstitutionLeftAllianceV1: DataCheck = object<InstitutionLeftAllianceV1>({
  allianceId: id,
  institution: institutionCode,
  leftAt: instant,
  reason: optional(text({ max: 200 })),
});

export const isInstitutionLeftAllianceV1 = guard<InstitutionLeftAllianceV1>(checkInstitutionLeftAllianceV1);
