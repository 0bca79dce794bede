import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Optional, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  DECISION_TEXT_MAX_CHARACTERS,
  INSTITUTION_CODE_PATTERN,
  type RecognitionDecision,
} from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import {
  DECLINE_REASON_KEYS,
  DecisionRejection,
  declineReason,
  decisionTaskId,
  handleRecognitionDecision,
  indicatorsCsv,
  type IndicatorsQuery,
  RecognitionEligibility,
  recognitionIndicators,
} from '@yilian/recognition';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import type { Pool } from 'pg';
import { PatientAccess } from '../access/patient-access';
import { PlatformAuth } from '../platform-auth';
import { RecognitionJsonErrorFilter } from './recognition-json-error.filter';
import { PATIENT_KEY_PATTERN, RECOGNITION_ELIGIBILITY } from './recognition-query.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 3 * 366;
const DECISION_FIELDS: ReadonlySet<string> = new Set([
  'patientKey',
  'resultStream',
  'resource',
  'decision',
  'reason',
  'encounter',
  'practitioner',
]);

/**
 * The console's recognition actions and the indicators (recognition part 2):
 *
 * - `POST /recognition/decisions` `{patientKey, resultStream?, resource, decision: recognised |
 *   declined, reason?: {code, text?}, encounter?, practitioner?}` — an institution's key only
 *   (the deciding institution is the key's), about a patient it has a part in; the same rules as
 *   the FHIR Task at the intake (docs/recognition.md): 201 with the decision, 200 when the same
 *   decision was already recorded, 422 `{field}` when refused (not recognisable now, no reason,
 *   text over 200 characters);
 * - `GET /recognition/indicators?from=&to=[&period=day|month][&alliance=|&institution=][&item=]
 *   [&format=csv]` — recognition rate, declines by reason, retrievals, re-tests avoided, money
 *   saved; counts only, no patient data; any read key.
 */
@Controller('recognition')
@UseFilters(RecognitionJsonErrorFilter)
export class RecognitionDecisionsController {
  constructor(
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(PatientAccess) private readonly access: PatientAccess,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(RECOGNITION_ELIGIBILITY) private readonly eligibility: RecognitionEligibility,
    @Optional() @Inject(EVENT_STORE) private readonly store?: EventStore,
  ) {}

  @Post('decisions')
  async decide(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const client = this.auth.client(req);
    if (client.role !== 'institution' || !client.institution)
      throw FhirHttpError.of(
        403,
        'forbidden',
        `only the deciding institution's key records a decision; the key is ${client.role} ${client.name}`,
      );
    if (!this.store)
      throw FhirHttpError.of(
        501,
        'not-supported',
        'this platform-api records no decisions (no EVENT_STORE_URL)',
      );
    const d = decisionOf(body);
    await this.access.require(client, d.patientKey);
    const now = new Date().toISOString();
    const messageId = `console/${randomUUID()}`;
    try {
      const outcome = await handleRecognitionDecision(
        { store: this.store, eligibility: this.eligibility, allowedReasons: DECLINE_REASON_KEYS },
        {
          institution: client.institution,
          patientKey: d.patientKey,
          ...(d.resultStream ? { resultStream: d.resultStream } : {}),
          resource: d.resource,
          decision: d.decision,
          ...(d.encounter ? { encounter: d.encounter } : {}),
          ...(d.practitioner ? { practitioner: d.practitioner } : {}),
          ...(d.reason ? { reason: d.reason } : {}),
          ...(d.text ? { text: d.text } : {}),
          now,
          source: { institution: client.institution, messageId, protocol: 'hub' },
          correlationId: messageId,
        },
      );
      res.status(outcome.duplicate ? 200 : 201).json({
        recorded: !outcome.duplicate,
        task: `Task/${decisionTaskId(outcome.stream)}`,
        decision: outcome.event.data,
      });
    } catch (e) {
      if (e instanceof DecisionRejection)
        throw FhirHttpError.of(
          422,
          e.code === 'not-recognisable' ? 'processing' : 'value',
          e.message,
          e.field === 'text' ? 'reason.text' : e.field === 'reason' ? 'reason.code' : 'resource',
        );
      throw e;
    }
  }

  @Get('indicators')
  async indicators(
    @Query() q: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.auth.authenticate(req);
    const query = indicatorsQueryOf(q);
    const answer = await recognitionIndicators(this.pool, query);
    if (q['format'] === 'csv' || (req.headers.accept ?? '').includes('text/csv')) {
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .setHeader(
          'content-disposition',
          `attachment; filename="recognition-indicators-${query.from}-${query.to}.csv"`,
        );
      res.send(indicatorsCsv(answer));
      return;
    }
    res.status(200).json(answer);
  }
}

interface DecisionBody {
  readonly patientKey: string;
  readonly resultStream?: string;
  readonly resource: string;
  readonly decision: RecognitionDecision;
  readonly reason?: { readonly system: string; readonly code: string; readonly display?: string };
  readonly text?: string;
  readonly encounter?: string;
  readonly practitioner?: string;
}

function decisionOf(body: unknown): DecisionBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw FhirHttpError.of(400, 'structure', 'the body must be a JSON object', 'decision');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!DECISION_FIELDS.has(k))
      throw FhirHttpError.of(
        400,
        'structure',
        `${k.slice(0, 40)}: not a field of a decision`,
        k.slice(0, 40),
      );
  const str = (name: string, pattern?: RegExp): string | undefined => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (pattern && !pattern.test(v)))
      throw FhirHttpError.of(400, 'value', `${name}: not valid`, name);
    return v;
  };
  const patientKey = str('patientKey', PATIENT_KEY_PATTERN);
  if (!patientKey) throw FhirHttpError.of(400, 'required', 'patientKey is required', 'patientKey');
  const resource = str('resource', /^(DiagnosticReport|ImagingStudy)\/[A-Za-z0-9\-.]{1,64}$/);
  if (!resource)
    throw FhirHttpError.of(
      400,
      'required',
      'resource (DiagnosticReport/{id} or ImagingStudy/{id}) is required',
      'resource',
    );
  const decision = str('decision');
  if (decision !== 'recognised' && decision !== 'declined')
    throw FhirHttpError.of(400, 'value', 'decision: recognised or declined', 'decision');
  let reason: DecisionBody['reason'];
  let text: string | undefined;
  if (b['reason'] !== undefined) {
    const r = b['reason'] as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r['code'] !== 'string')
      throw FhirHttpError.of(400, 'value', 'reason: expected {code, text?}', 'reason.code');
    const coding = declineReason(r['code']);
    if (!coding)
      throw FhirHttpError.of(
        422,
        'code-invalid',
        `reason.code: ${r['code'].slice(0, 40)} is not in the decline-reason ValueSet`,
        'reason.code',
      );
    reason = coding;
    if (r['text'] !== undefined) {
      if (typeof r['text'] !== 'string')
        throw FhirHttpError.of(400, 'value', 'reason.text: expected a string', 'reason.text');
      if ([...r['text']].length > DECISION_TEXT_MAX_CHARACTERS)
        throw FhirHttpError.of(
          422,
          'value',
          `reason.text: at most ${DECISION_TEXT_MAX_CHARACTERS} characters (got ${[...r['text']].length})`,
          'reason.text',
        );
      text = r['text'];
    }
  }
  const resultStream = str('resultStream', /^[A-Za-z0-9][A-Za-z0-9._:-]{0,299}$/);
  const encounter = str('encounter', /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
  const practitioner = str('practitioner', /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
  return {
    patientKey,
    resource,
    decision,
    ...(resultStream ? { resultStream } : {}),
    ...(reason ? { reason } : {}),
    ...(text ? { text } : {}),
    ...(encounter ? { encounter } : {}),
    ...(practitioner ? { practitioner } : {}),
  };
}

function indicatorsQueryOf(q: Record<string, unknown>): IndicatorsQuery {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw FhirHttpError.of(400, 'value', `${name}: give it once`, name);
    return v;
  };
  for (const k of Object.keys(q))
    if (!['from', 'to', 'period', 'alliance', 'institution', 'item', 'format'].includes(k))
      throw FhirHttpError.of(
        400,
        'not-supported',
        `${k.slice(0, 40)}: not a parameter of the indicators`,
        k.slice(0, 40),
      );
  const from = one('from');
  const to = one('to');
  if (!from || !DAY.test(from)) throw FhirHttpError.of(400, 'value', 'from: a day YYYY-MM-DD', 'from');
  if (!to || !DAY.test(to)) throw FhirHttpError.of(400, 'value', 'to: a day YYYY-MM-DD', 'to');
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (!(days >= 0 && days <= MAX_DAYS))
    throw FhirHttpError.of(
      400,
      'value',
      `from must not be after to, and the range at most ${MAX_DAYS} days`,
      'from',
    );
  const period = one('period') ?? 'day';
  if (period !== 'day' && period !== 'month')
    throw FhirHttpError.of(400, 'value', 'period: day or month', 'period');
  const alliance = one('alliance');
  const institution = one('institution');
  if (institution !== undefined && !INSTITUTION_CODE_PATTERN.test(institution))
    throw FhirHttpError.of(400, 'value', 'institution: not an institution code', 'institution');
  if (alliance !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(alliance))
    throw FhirHttpError.of(400, 'value', 'alliance: not an alliance id', 'alliance');
  const item = one('item');
  if (item !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(item))
    throw FhirHttpError.of(400, 'value', 'item: not a catalogue item code', 'item');
  return {
    from,
    to,
    period,
    ...(alliance ? { alliance } : {}),
    ...(institution ? { institution } : {}),
    ...(item ? { item } : {}),
  };
}
