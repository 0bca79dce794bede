import { Controller, Get, Inject, Param, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { ID_PATTERN, type fhir4 } from '@yilian/contracts';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from '../audit/access-audit.service';
import { PlatformJsonErrorFilter, queryValidation } from '../referrals/json-error.filter';
import { boardFilter } from '../referrals/referral-board.controller';
import { ReferralBoardService } from '../referrals/referral-board.service';
import { BoardPageQuery } from '../referrals/referral-read.dtos';
import { ConsoleAuth } from './console-auth';

/** Who records each step: the receiver answers and moves the referral on, the sender asks and
 * cancels, the hub's scheduler records an expiry (the deciders allow nothing else). */
const actorOf = (status: string, sender: string, receiver: string) =>
  status === 'requested' || status === 'cancelled' ? sender : status === 'expired' ? 'hub' : receiver;

/** The referral desk of the console: the signed-in institution's own inbox and outbox, and a
 * referral's full history (every step, who, when). */
@Controller('console')
@UseFilters(PlatformJsonErrorFilter)
@UsePipes(queryValidation)
export class ConsoleReferralsController {
  constructor(
    private readonly auth: ConsoleAuth,
    private readonly board: ReferralBoardService,
    private readonly audit: AccessAuditService,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
  ) {}

  @Get('session')
  session(@Req() req: Request) {
    return this.auth.principal(req);
  }

  @Get('referrals')
  referrals(@Query() q: BoardPageQuery, @Req() req: Request) {
    const p = this.auth.require(req, 'institution');
    return this.board.page(p.name, boardFilter(q, p.name), q.page);
  }

  @Get('referrals/:id/history')
  async history(@Param('id') id: string, @Req() req: Request) {
    const p = this.auth.require(req, 'institution', 'platform');
    if (!ID_PATTERN.test(id)) throw FhirHttpError.of(400, 'invalid', 'id: not a referral id');
    const { rows } = await this.pool.query<{ requester: string; performer: string; patient_key: string }>(
      'SELECT requester, performer, patient_key FROM rm_referral_fhir WHERE referral_id = $1',
      [id],
    );
    const row = rows[0];
    const party = p.role !== 'institution' || p.name === row?.requester || p.name === row?.performer;
    // one answer for unknown and not yours: an institution learns nothing of others' referrals
    if (!row || !party) throw FhirHttpError.of(404, 'not-found', `no referral ${id} of yours`);
    const versions = await this.pool.query<{ version: number; resource: fhir4.Task; recorded_at: Date }>(
      `SELECT version, resource, recorded_at FROM rm_referral_fhir_versions
       WHERE resource_type = 'Task' AND id = $1 ORDER BY version`,
      [id],
    );
    await this.audit.record({
      actor: p.name,
      patientKey: row.patient_key,
      interaction: 'history',
      resourceType: 'Task',
      returned: versions.rows.length,
    });
    return {
      referralId: id,
      sender: row.requester,
      receiver: row.performer,
      steps: versions.rows.map((v) => {
        const status = v.resource.businessStatus?.coding?.[0]?.code ?? v.resource.status;
        return {
          version: v.version,
          at: v.recorded_at.toISOString(),
          status,
          actor: actorOf(status, row.requester, row.performer),
          ...(v.resource.statusReason ? { reason: v.resource.statusReason } : {}),
          output: v.resource.output ?? [],
        };
      }),
    };
  }
}
