import { Controller, Get, Inject, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import type { Request } from 'express';
import type { ReferralBoardFilter } from '@yilian/referrals';
import { FhirHttpError } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';
import { PlatformJsonErrorFilter, queryValidation } from './json-error.filter';
import { ReferralBoardService } from './referral-board.service';
import { type BoardPageQuery, ReferralBoardQuery } from './referral-read.dtos';

/** The board filter a query asks for, for `institution`, at `now`. */
export function boardFilter(q: BoardPageQuery, institution: string): ReferralBoardFilter {
  return {
    institution,
    box: q.box,
    ...(q.status ? { statuses: q.status } : {}),
    ...(q.direction ? { direction: q.direction } : {}),
    ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
    now: q.at ?? new Date().toISOString(),
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  };
}

/** GET /referrals/board: an institution's inbox (received) or outbox (sent), newest first,
 * with waiting time and overdue flags; filter by status, direction, overdue; paged. */
@Controller('referrals/board')
@UseFilters(PlatformJsonErrorFilter)
@UsePipes(queryValidation)
export class ReferralBoardController {
  constructor(
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    private readonly board: ReferralBoardService,
  ) {}

  @Get()
  async get(@Query() q: ReferralBoardQuery, @Req() req: Request) {
    const client = this.auth.authorize(req, 'ServiceRequest');
    // an institution's client sees its own board only (docs/access.md)
    if (client.role === 'institution' && client.institution !== q.institution)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `institution ${client.institution} sees its own board only`,
        'institution',
      );
    return this.board.page(client.name, boardFilter(q, q.institution), q.page);
  }
}
