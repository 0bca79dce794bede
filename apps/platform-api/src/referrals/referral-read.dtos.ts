/** Query parameters of the board and the indicators, checked by class-validator: 400 names
 * each parameter at fault. */
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import {
  DAY_PATTERN,
  ID_PATTERN,
  INSTITUTION_CODE_PATTERN,
  isInstant,
  REFERRAL_DIRECTIONS,
  type ReferralDirection,
} from '@yilian/contracts';
import type { BoardBox, Granularity, ReferralStatus } from '@yilian/referrals';

export const REFERRAL_STATUSES: readonly ReferralStatus[] = [
  'requested',
  'accepted',
  'scheduled',
  'arrived',
  'completed',
  'rejected',
  'cancelled',
  'expired',
];

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/** A page of an inbox or outbox: GET /console/referrals (the key's own institution). */
export class BoardPageQuery {
  @IsOptional()
  @IsIn(['inbox', 'outbox'])
  box: BoardBox = 'inbox';

  @IsOptional()
  @Transform(list)
  @IsIn(REFERRAL_STATUSES, {
    each: true,
    message: `status must be one or more of ${REFERRAL_STATUSES.join(', ')}`,
  })
  status?: ReferralStatus[];

  @IsOptional()
  @IsIn(REFERRAL_DIRECTIONS)
  direction?: ReferralDirection;

  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';

  /** The moment waiting time and overdue flags are computed at; default now. */
  @IsOptional()
  @ValidateBy({
    name: 'isInstant',
    validator: {
      validate: isInstant,
      defaultMessage: () => 'at must be an ISO 8601 date-time with a time zone',
    },
  })
  at?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize: number = 20;
}

/** GET /referrals/board: any institution's, for the platform. */
export class ReferralBoardQuery extends BoardPageQuery {
  @Matches(INSTITUTION_CODE_PATTERN, { message: 'institution must be an institution code' })
  institution!: string;
}

/** GET /referrals/indicators: one institution or one alliance, days inclusive (China time). */
export class ReferralIndicatorsQuery {
  @ValidateIf((q: ReferralIndicatorsQuery) => q.alliance === undefined)
  @Matches(INSTITUTION_CODE_PATTERN, { message: 'institution (or alliance) must be given, as a code' })
  institution?: string;

  @ValidateIf((q: ReferralIndicatorsQuery) => q.institution === undefined)
  @Matches(ID_PATTERN, { message: 'alliance (or institution) must be given, as an id' })
  alliance?: string;

  @IsOptional()
  @IsIn(['day', 'month'])
  granularity: Granularity = 'month';

  @Matches(DAY_PATTERN, { message: 'from must be a day, YYYY-MM-DD' })
  from!: string;

  @Matches(DAY_PATTERN, { message: 'to must be a day, YYYY-MM-DD' })
  to!: string;
}
