import { Controller, Get, Inject, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { boardItem, referralBoardQuery, referralBoardRowFrom } from '@yilian/referrals';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
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
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  @Get()
  async board(@Query() q: ReferralBoardQuery, @Req() req: Request) {
    const client = await this.gate.open(req, 'ServiceRequest', null);
    if (client.role === 'institution' && client.institution !== q.institution)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `institution ${client.institution} sees its own board only`,
        'institution',
      );
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
      await this.gate.record(req, client, {
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
