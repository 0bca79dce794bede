import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Inject,
  Param,
  Put,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { handleReportOutpatientVolume } from '@yilian/alliance';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import { Actor, InstitutionGuard } from '../referrals/credentials';
import { JsonErrorFilter, jsonValidation } from '../referrals/json-errors';
import { ReportOutpatientVolumeDto } from './alliance-admin.dtos';
import { idempotencyKey } from './alliance-admin.controller';

/** PUT /outpatient-volume/{YYYY-MM-DD} {visits}: an institution reports its outpatient and
 * emergency visits of a day (China Standard Time), with its own API key. Again for the same
 * day: a correction, the latest counts. */
@Controller('outpatient-volume')
@UseFilters(JsonErrorFilter)
@UseGuards(InstitutionGuard)
@UsePipes(jsonValidation)
export class OutpatientVolumeController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Put(':day')
  async report(
    @Actor() institution: string,
    @Param('day') day: string,
    @Body() body: ReportOutpatientVolumeDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const messageId = idempotencyKey(req) ?? randomUUID();
    const handled = await handleReportOutpatientVolume(
      this.store,
      {
        type: 'ReportOutpatientVolume',
        institution,
        day,
        visits: body.visits,
        now: new Date().toISOString(),
      },
      { institution, messageId, protocol: 'hub', correlationId: messageId },
    );
    res.status(handled.recorded.length > 0 ? 201 : 200).json({
      institution,
      day,
      visits: handled.state.get(day),
      recorded: handled.recorded.length > 0,
    });
  }
}
