import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  ALLIANCE_FORMS,
  ALLIANCE_ROLES,
  ID_PATTERN,
  INSTITUTION_CODE_PATTERN,
  INSTITUTION_LEVELS,
  MAX_DAILY_OUTPATIENT_VISITS,
  MAX_REFERRAL_RESPONSE_HOURS,
  type AllianceForm,
  type AllianceRole,
  type InstitutionLevel,
} from '@yilian/contracts';

/** POST /alliances */
export class RegisterAllianceDto {
  @Matches(ID_PATTERN, { message: 'allianceId must be 1-64 letters, digits, - or .' })
  allianceId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(ALLIANCE_FORMS)
  form!: AllianceForm;

  @IsInt()
  @Min(1)
  @Max(MAX_REFERRAL_RESPONSE_HOURS)
  referralResponseHours!: number;
}

/** POST /alliances/:allianceId/members */
export class AdmitInstitutionDto {
  @Matches(INSTITUTION_CODE_PATTERN, { message: 'institution must be an institution code' })
  institution!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(INSTITUTION_LEVELS)
  level!: InstitutionLevel;

  @IsIn(ALLIANCE_ROLES)
  role!: AllianceRole;
}

/** PUT /outpatient-volume/:day */
export class ReportOutpatientVolumeDto {
  @IsInt()
  @Min(0)
  @Max(MAX_DAILY_OUTPATIENT_VISITS)
  visits!: number;
}
