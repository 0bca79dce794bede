import { Controller, Get, Inject, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import type { Request } from 'express';
import { FhirHttpError } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';
import { PlatformJsonErrorFilter, queryValidation } from './json-error.filter';
import { ReferralIndicatorsQuery } from './referral-read.dtos';
import { ReferralIndicatorsService } from './referral-indicators.service';

const MAX_DAYS = 3 * 366;

/** GET /referrals/indicators?institution=H001|alliance=A1&granularity=day|month&from=&to= :
 * counts by direction, acceptance rate and rejection reasons, median / p90 hours to acceptance
 * and to arrival, share of priority bookings, downward referrals, booked share of outpatient
 * volume. No patient data: counts and durations only. */
@Controller('referrals/indicators')
@UseFilters(PlatformJsonErrorFilter)
@UsePipes(queryValidation)
export class ReferralIndicatorsController {
  constructor(
    private readonly indicators: ReferralIndicatorsService,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get()
  async get(@Query() q: ReferralIndicatorsQuery, @Req() req: Request) {
    this.auth.authenticate(req);
    if (q.institution !== undefined && q.alliance !== undefined)
      throw FhirHttpError.of(400, 'invalid', 'give institution or alliance, not both');
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (!(days >= 0 && days <= MAX_DAYS))
      throw FhirHttpError.of(
        400,
        'invalid',
        `from must not be after to, and the range at most ${MAX_DAYS} days`,
      );
    const scope = q.institution !== undefined ? { institution: q.institution } : { alliance: q.alliance! };
    return this.indicators.indicators(scope, q.granularity, q.from, q.to);
  }
}
