import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, UseFilters } from '@nestjs/common';
import type { Request } from 'express';
import { FhirHttpError } from '@yilian/runtime';
import type { EligibilityAnswer, UnmatchedCode } from '@yilian/recognition';
import { RecognitionJsonErrorFilter } from './recognition-json-error.filter';
import { type RecognitionAsk, RecognitionQueryService } from './recognition-query.service';

const FIELDS: ReadonlySet<string> = new Set(['identifier', 'patientKey', 'asOf', 'requester']);

/**
 * The console's JSON routes (apps/console/src/pages/results.tsx):
 *
 * - `POST /recognition/eligibility` `{identifier: {system, value}} | {patientKey}`, `asOf?`
 *   (ISO instant), `requester?` (platform / auditor only) → the EligibilityAnswer. The
 *   identifier travels in the body only: never in a URL or a log line.
 * - `GET /recognition/unmatched-codes?performer=` → the codes results carried that no catalogue
 *   item (nor the performer's code map) names: what an operator should map. Platform and
 *   auditor keys only.
 *
 * Who may ask: recognition.module.ts.
 */
@Controller('recognition')
@UseFilters(RecognitionJsonErrorFilter)
export class RecognitionEligibilityController {
  constructor(@Inject(RecognitionQueryService) private readonly query: RecognitionQueryService) {}

  @Post('eligibility')
  @HttpCode(200)
  async eligibility(@Body() body: unknown, @Req() req: Request): Promise<EligibilityAnswer> {
    if (Object.keys(req.query).length > 0)
      throw FhirHttpError.of(400, 'security', 'send the question in the body, not the URL', 'identifier');
    return (await this.query.ask(req, askOf(body), 'console')).answer;
  }

  @Get('unmatched-codes')
  async unmatched(
    @Query('performer') performer: unknown,
    @Req() req: Request,
  ): Promise<{ codes: UnmatchedCode[] }> {
    if (performer !== undefined && typeof performer !== 'string')
      throw FhirHttpError.of(400, 'value', 'performer: one institution code', 'performer');
    return { codes: await this.query.unmatchedCodes(req, performer) };
  }
}

/** The body, its fields checked by name (400 names the first wrong one). */
function askOf(body: unknown): RecognitionAsk {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw FhirHttpError.of(400, 'structure', 'the body must be a JSON object', 'identifier');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!FIELDS.has(k))
      throw FhirHttpError.of(
        400,
        'structure',
        `${k.slice(0, 40)}: not a field of the question`,
        k.slice(0, 40),
      );
  const text = (name: string): string | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw FhirHttpError.of(400, 'value', `${name}: expected a string`, name);
    return v;
  };
  let identifier: RecognitionAsk['identifier'];
  if (b['identifier'] !== undefined) {
    const i = b['identifier'] as Record<string, unknown> | null;
    if (
      typeof i !== 'object' ||
      i === null ||
      typeof i['system'] !== 'string' ||
      typeof i['value'] !== 'string'
    )
      throw FhirHttpError.of(
        400,
        'value',
        'identifier: expected {system, value}, both strings',
        'identifier',
      );
    identifier = { system: i['system'], value: i['value'] };
  }
  const patientKey = text('patientKey');
  const asOf = text('asOf');
  const requester = text('requester');
  return {
    ...(identifier ? { identifier } : {}),
    ...(patientKey !== undefined ? { patientKey } : {}),
    ...(asOf !== undefined ? { asOf } : {}),
    ...(requester !== undefined ? { requester } : {}),
  };
}
