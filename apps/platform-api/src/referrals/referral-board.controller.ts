import { Controller, Get, Inject, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { boardItem, referralBoardQuery, referralBoardRowFrom } from '@yilian/referrals';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from '../audit/access-audit.service';
import { PlatformAuth } from '../platform-auth';
import { PlatformJsonErrorFilter, queryValidation } from './json-error.filter';
import { ReferralBoardQuery } from './referral-read.dtos';

/** GET /referrals/board: an institution's inbox (received) or outbox (sent), newest first,
 * with waiting time and overdue flags; filter by status, direction, overdue; paged. */
@Controller('referrals/board')
@UseFilters(PlatformJsonErrorFilter)
@UsePipes(queryValidation)
export class ReferralBoardController {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    private readonly audit: AccessAuditService,
  ) {}

  @Get()
  async board(@Query() q: ReferralBoardQuery, @Req() req: Request) {
    const actor = this.auth.authenticate(req);
    const now = q.at ?? new Date().toISOString();
    const { text, params } = referralBoardQuery({
      institution: q.institution,
      box: q.box,
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.direction ? { direction: q.direction } : {}),
      ...(q.overdue ? { overdue: q.overdue === 'true' } : {}),
      now,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    });
    const { rows } = await this.pool.query<Record<string, unknown> & { total: string }>(text, params);
    const items = rows.map((r) => boardItem(referralBoardRowFrom(r), now));
    for (const patientKey of new Set(items.map((i) => i.patientKey))) {
      const returned = items.filter((i) => i.patientKey === patientKey).length;
      await this.audit.record({
        actor,
        patientKey,
        interaction: 'search',
        resourceType: 'ReferralBoard',
        returned,
      });
    }
    const total = rows[0] ? Number(rows[0].total) : 0;
    return {
      institution: q.institution,
      box: q.box,
      at: now,
      page: q.page,
      pageSize: q.pageSize,
      total,
      items,
    };
  }
}
