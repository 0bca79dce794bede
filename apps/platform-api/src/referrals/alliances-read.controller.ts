import { Controller, Get, Inject, Param, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { ID_PATTERN } from '@yilian/contracts';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { PlatformAuth } from '../platform-auth';
import { PlatformJsonErrorFilter } from './json-error.filter';

/** GET /alliances and /alliances/{id}: alliances, their response time and members (current
 * and former, with level and role), from the alliance-members projection. */
@Controller('alliances')
@UseFilters(PlatformJsonErrorFilter)
export class AlliancesReadController {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get()
  async list(@Req() req: Request) {
    this.auth.authorize(req, 'Organization');
    const { rows } = await this.pool.query(
      `SELECT alliance_id AS "allianceId", name, form, referral_response_hours AS "referralResponseHours"
       FROM rm_alliances ORDER BY alliance_id`,
    );
    return { alliances: rows };
  }

  @Get(':id')
  async one(@Param('id') id: string, @Req() req: Request) {
    this.auth.authorize(req, 'Organization');
    if (!ID_PATTERN.test(id)) throw FhirHttpError.of(400, 'invalid', 'id: not an alliance id');
    const alliance = await this.pool.query(
      `SELECT alliance_id AS "allianceId", name, form, referral_response_hours AS "referralResponseHours",
         registered_at AS "registeredAt" FROM rm_alliances WHERE alliance_id = $1`,
      [id],
    );
    if (!alliance.rows[0]) throw FhirHttpError.of(404, 'not-found', `no alliance ${id}`);
    const members = await this.pool.query(
      `SELECT institution, name, level, role, joined_at AS "joinedAt", left_at AS "leftAt"
       FROM rm_alliance_members WHERE alliance_id = $1 ORDER BY joined_at, institution`,
      [id],
    );
    return { ...alliance.rows[0], members: members.rows };
  }
}
