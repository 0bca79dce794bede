import { Controller, Get, Inject, Optional, Query, Req, UseFilters, UsePipes } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { isInstant } from '@yilian/contracts';
import { type LogVerification } from '@yilian/event-store';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import { PlatformJsonErrorFilter, queryValidation } from '../referrals/json-error.filter';
import { ConsoleAuth } from './console-auth';

/** Verifies the whole log's hash chain (given where the event store is at hand: the hub). */
export const CHAIN_VERIFIER = Symbol('CHAIN_VERIFIER');
export type ChainVerifier = () => Promise<LogVerification>;

export class AccessLogQuery {
  /** What the log said at this moment: reads recorded after it are left out. */
  @IsOptional()
  @ValidateBy({
    name: 'isInstant',
    validator: {
      validate: isInstant,
      defaultMessage: () => 'asOf must be an ISO 8601 date-time with a time zone',
    },
  })
  asOf?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  patientKey?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}

/** The console's audit page, for auditors only: who read which patient's data, when and why
 * (the access log, as of a moment), and the hash chain's verification. */
@Controller('console/audit')
@UseFilters(PlatformJsonErrorFilter)
@UsePipes(queryValidation)
export class ConsoleAuditController {
  constructor(
    private readonly auth: ConsoleAuth,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Optional() @Inject(CHAIN_VERIFIER) private readonly verifier?: ChainVerifier,
  ) {}

  @Get('access')
  async access(@Query() q: AccessLogQuery, @Req() req: Request) {
    this.auth.require(req, 'auditor');
    const asOf = q.asOf ?? new Date().toISOString();
    const { rows } = await this.pool.query(
      `SELECT serial::text AS serial, at, actor, purpose, patient_key AS "patientKey", interaction,
              resource_type AS "resourceType", returned
       FROM pa_access_log
       WHERE at <= $1 AND ($2::text IS NULL OR patient_key = $2) AND ($3::text IS NULL OR actor = $3)
       ORDER BY pa_access_log.serial DESC LIMIT $4`,
      [asOf, q.patientKey ?? null, q.actor ?? null, q.limit],
    );
    return { asOf, entries: rows };
  }

  @Get('chain')
  async chain(@Req() req: Request) {
    this.auth.require(req, 'auditor');
    if (!this.verifier)
      throw FhirHttpError.of(
        501,
        'not-supported',
        'this process has no event store: run npm run verify:chain',
      );
    const started = new Date().toISOString();
    const r = await this.verifier();
    return {
      verifiedAt: started,
      events: r.events,
      streams: r.streams,
      intact: r.breaks.length === 0,
      breaks: r.breaks.map((b) => ({ ...b, streamPosition: b.streamPosition.toString() })),
    };
  }
}
