/**
 * The console's JSON actions on a referral, checked by class-validator before anything is
 * decided. The acting institution is never in the body: it is the API key's.
 */
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import {
  isInstant,
  REASON_TEXT_MAX,
  REJECTION_REASONS,
  SCHEDULE_KINDS,
  type RejectionReasonCode,
  type ScheduleKind,
} from '@yilian/contracts';

function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => isInstant(value),
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 date-time with a time zone`,
      },
    },
    options,
  );
}

/** POST /referrals/{id}/accept */
export class AcceptReferralDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  department?: string;
}

/** POST /referrals/{id}/reject: a reason code, and a text (required for `other`). */
export class RejectReferralDto {
  @IsIn(REJECTION_REASONS)
  code!: RejectionReasonCode;

  @ValidateIf((o: RejectReferralDto) => o.code === 'other' || o.text !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(REASON_TEXT_MAX)
  text?: string;
}

/** POST /referrals/{id}/schedule: the booking, and whether it went through 三优先. */
export class ScheduleReferralDto {
  @IsIn(SCHEDULE_KINDS)
  kind!: ScheduleKind;

  @IsInstant()
  bookedFor!: string;

  @IsBoolean()
  priorityChannel!: boolean;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  department!: string;
}

/** POST /referrals/{id}/arrival and /complete: nothing but the referral and the credential. */
export class EmptyActionDto {}

/** POST /referrals/{id}/cancel */
export class CancelReferralDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REASON_TEXT_MAX)
  reason?: string;
}

/** POST /referrals/{id}/acknowledge: the community centre has the summary and the plan. */
export class AcknowledgeReferralDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  note?: string;
}
