import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { handleAllianceCommand, type AllianceCommand, type AllianceState } from '@yilian/alliance';
import { ID_PATTERN, INSTITUTION_CODE_PATTERN } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import { tokenHeader } from '@yilian/runtime';
import { Actor, OperatorGuard } from '../referrals/credentials';
import { JsonErrorFilter, JsonHttpError, jsonValidation } from '../referrals/json-errors';
import { AdmitInstitutionDto, RegisterAllianceDto } from './alliance-admin.dtos';
import { AllianceDirectoryService } from './alliance-directory.service';

/** Alliance administration by the hub's operators: register an alliance, admit and remove
 * members. Each is an event in `alliance-{id}`; the same request again records nothing (200). */
@Controller('alliances')
@UseFilters(JsonErrorFilter)
@UseGuards(OperatorGuard)
@UsePipes(jsonValidation)
export class AllianceAdminController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: AllianceDirectoryService,
  ) {}

  @Post()
  async register(
    @Actor() operator: string,
    @Body() body: RegisterAllianceDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.run(operator, { type: 'RegisterAlliance', ...body, now: new Date().toISOString() }, req, res);
    this.directory.directory.remember(body.allianceId);
  }

  @Post(':allianceId/members')
  async admit(
    @Actor() operator: string,
    @Param('allianceId') allianceId: string,
    @Body() body: AdmitInstitutionDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const command = { type: 'AdmitInstitution' as const, allianceId: checked(allianceId), ...body };
    await this.run(operator, { ...command, now: new Date().toISOString() }, req, res);
  }

  @Delete(':allianceId/members/:institution')
  async remove(
    @Actor() operator: string,
    @Param('allianceId') allianceId: string,
    @Param('institution') institution: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!INSTITUTION_CODE_PATTERN.test(institution))
      throw new JsonHttpError(400, 'institution: not an institution code');
    const command = { type: 'RemoveInstitution' as const, allianceId: checked(allianceId), institution };
    await this.run(operator, { ...command, now: new Date().toISOString() }, req, res);
  }

  private async run(operator: string, command: AllianceCommand, req: Request, res: Response): Promise<void> {
    const messageId = idempotencyKey(req) ?? randomUUID();
    const source = { institution: operator, messageId, protocol: 'hub' as const, correlationId: messageId };
    const handled = await handleAllianceCommand(this.store, command, source);
    const recorded = handled.recorded.length > 0;
    res.status(recorded ? 201 : 200).json(view(handled.state, recorded));
  }
}

function checked(allianceId: string): string {
  if (!ID_PATTERN.test(allianceId)) throw new JsonHttpError(400, 'allianceId: 1-64 letters, digits, - or .');
  return allianceId;
}

/** `Idempotency-Key`, when the caller sends one: the message id of the events it causes. */
export function idempotencyKey(req: Request): string | undefined {
  return tokenHeader(req, 'idempotency-key');
}

function view(state: AllianceState, recorded: boolean) {
  if (state.status === 'none') return { recorded };
  const { allianceId, name, form, referralResponseHours, members } = state;
  return { allianceId, name, form, referralResponseHours, members, recorded };
}
