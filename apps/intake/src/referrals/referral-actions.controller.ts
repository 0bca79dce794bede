import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  HttpCode,
  Param,
  Post,
  Req,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import type { Request } from 'express';
import { ID_PATTERN } from '@yilian/contracts';
import type { HandledReferral, ReferralCommand } from '@yilian/referrals';
import { idempotencyKey } from '../alliance/alliance-admin.controller';
import { Actor, InstitutionGuard } from './credentials';
import { JsonErrorFilter, JsonHttpError, jsonValidation } from './json-errors';
import * as dto from './referral-actions.dtos';
import { ReferralIntake } from './referral-intake.service';

type Action = Omit<ReferralCommand, 'referralId' | 'actor' | 'now'> & Partial<ReferralCommand>;

/** The console's actions on a referral, as JSON. 200 with the referral's status; 400 names the
 * field at fault; 403 when the institution may not do it, 404 unknown, 409 not in that state. */
@Controller('referrals')
@UseFilters(JsonErrorFilter)
@UseGuards(InstitutionGuard)
@UsePipes(jsonValidation)
export class ReferralActionsController {
  constructor(private readonly referrals: ReferralIntake) {}

  @Post(':id/accept')
  @HttpCode(200)
  accept(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() b: dto.AcceptReferralDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'AcceptReferral', ...b });
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() b: dto.RejectReferralDto,
    @Req() req: Request,
  ) {
    const reason = { code: b.code, ...(b.text !== undefined ? { text: b.text } : {}) };
    return this.act(actor, id, req, { type: 'RejectReferral', reason });
  }

  @Post(':id/schedule')
  @HttpCode(200)
  schedule(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() b: dto.ScheduleReferralDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'ScheduleReferral', ...b });
  }

  @Post(':id/arrival')
  @HttpCode(200)
  arrival(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() _b: dto.EmptyActionDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'RecordArrival' });
  }

  @Post(':id/complete')
  @HttpCode(200)
  complete(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() _b: dto.EmptyActionDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'CompleteReferral' });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() b: dto.CancelReferralDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'CancelReferral', ...b });
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(
    @Actor() actor: string,
    @Param('id') id: string,
    @Body() b: dto.AcknowledgeReferralDto,
    @Req() req: Request,
  ) {
    return this.act(actor, id, req, { type: 'AcknowledgeDownwardReferral', ...b });
  }

  private async act(actor: string, referralId: string, req: Request, action: Action) {
    if (!ID_PATTERN.test(referralId)) throw new JsonHttpError(400, 'id: not a referral id');
    const command = { ...action, referralId, actor, now: new Date().toISOString() } as ReferralCommand;
    const messageId = idempotencyKey(req) ?? randomUUID();
    const source = { institution: actor, messageId, protocol: 'hub' as const, correlationId: messageId };
    return view(await this.referrals.run(command, source));
  }
}

function view(handled: HandledReferral) {
  const recorded = handled.recorded.length > 0;
  if (handled.state.status === 'none') return { recorded };
  const { referralId, direction, sender, receiver } = handled.state.request;
  return {
    referralId,
    status: handled.state.status,
    direction,
    sender,
    receiver,
    version: handled.length,
    recorded,
  };
}
