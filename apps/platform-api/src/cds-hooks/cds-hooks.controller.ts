import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Options,
  Param,
  Post,
  Req,
  UseFilters,
} from '@nestjs/common';
import type { Request } from 'express';
import { FhirHttpError } from '@yilian/runtime';
import { CdsErrorFilter } from './cds-error.filter';
import type { CdsDiscovery, CdsResponse, CdsServiceDescription } from './cds-hooks.types';
import { CdsHooksService } from './cds-hooks.service';
import { CDS_DISCOVERY, cdsService } from './cds-services';
import { feedbackRequestOf, hookRequestOf } from './cds-request.validation';

/**
 * CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/) on platform-api:
 *
 * - `GET /cds-services` — discovery (anyone): the duplicate-test services for `order-select`
 *   and `order-sign` (no prefetch: the hub answers from its own results);
 * - `POST /cds-services/{id}` — the hook call (an institution key) → `{cards}`;
 * - `POST /cds-services/{id}/feedback` — the doctor's outcome per card, recorded as a recognition
 *   decision (cds-feedback.decisions.ts) → 200 `{}`; a card the hub did not issue 404, issued to
 *   another institution 403, a decision the decider refuses 422 with its reason.
 *
 * An invalid request is 400, an unknown service 404, a missing key 401, a platform key or a
 * patient the institution has no part in 403 — each an OperationOutcome in JSON naming the
 * attribute at fault. Patient keys travel in bodies only. Every answer carries CORS headers
 * (cds-cors.middleware.ts) and OPTIONS answers a preflight.
 */
@Controller('cds-services')
@UseFilters(CdsErrorFilter)
export class CdsHooksController {
  constructor(@Inject(CdsHooksService) private readonly cds: CdsHooksService) {}

  @Get()
  discovery(): CdsDiscovery {
    return CDS_DISCOVERY;
  }

  /** CORS preflight of a browser-based CDS client (the headers: CdsCorsMiddleware). */
  @Options(['', ':id', ':id/feedback'])
  @HttpCode(204)
  preflight(): void {}

  @Post(':id')
  @HttpCode(200)
  async call(@Param('id') id: string, @Body() body: unknown, @Req() req: Request): Promise<CdsResponse> {
    const service = serviceOf(id);
    const who = await this.cds.requesterOf(req); // 401 / 403 before the body is looked at
    return this.cds.answer(req, who, service.id, hookRequestOf(body, service));
  }

  @Post(':id/feedback')
  @HttpCode(200)
  async feedback(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<Record<string, never>> {
    const service = serviceOf(id);
    const who = await this.cds.requesterOf(req);
    await this.cds.feedback(who, service.id, feedbackRequestOf(body));
    return {};
  }
}

function serviceOf(id: string): CdsServiceDescription {
  const service = cdsService(id);
  if (!service)
    throw FhirHttpError.of(
      404,
      'not-found',
      `no CDS service ${id.slice(0, 64)} (GET /cds-services lists them)`,
    );
  return service;
}
