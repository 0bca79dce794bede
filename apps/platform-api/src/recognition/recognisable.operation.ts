import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, sendFhir } from '@yilian/runtime';
import { searchsetBundle } from '../fhir/bundle';
import { eligibilityResources } from './recognition-fhir';
import { RecognitionResourcesRepository } from './recognition-resources.repository';
import {
  type RecognitionAsk,
  type RecognitionReply,
  RecognitionQueryService,
} from './recognition-query.service';

const QUERY_PARAMS: ReadonlySet<string> = new Set(['asOf', 'requester']);
const PARAMETERS: ReadonlySet<string> = new Set(['patient', 'asOf', 'requester']);

/**
 * `$recognisable` on Patient (OperationDefinition
 * contracts/src/recognition/conformance/operation-patient-recognisable.json):
 * which of the patient's results the requesting institution may recognise (互认) as of a moment.
 *
 * - `GET /fhir/Patient/{id}/$recognisable[?asOf=][&requester=]` — `{id}` the hub's opaque
 *   patient key (as `$everything`), never an identifier;
 * - `POST /fhir/Patient/$recognisable` with a Parameters body: `patient` (valueString
 *   `system|value` or valueIdentifier), `asOf` (valueInstant), `requester` (valueCode).
 *
 * Answers a searchset Bundle of DiagnosticReport (lab) and ImagingStudy (imaging), newest
 * first, each with the `recognition-eligibility` extension, and the lab reports' Observations
 * (search mode `include`: the values, of the same versions); errors are OperationOutcomes with
 * the parameter's name in `expression`. Who may ask: recognition.module.ts.
 */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class RecognisableOperationController {
  constructor(
    @Inject(RecognitionQueryService) private readonly query: RecognitionQueryService,
    @Inject(RecognitionResourcesRepository) private readonly resources: RecognitionResourcesRepository,
  ) {}

  @Get('Patient/:id/$recognisable')
  async byKey(
    @Param('id') id: string,
    @Query() params: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    for (const [name, value] of Object.entries(params)) {
      if (!QUERY_PARAMS.has(name))
        throw FhirHttpError.of(
          400,
          'not-supported',
          `${name.slice(0, 40)}: not a parameter of $recognisable`,
          name.slice(0, 40),
        );
      if (typeof value !== 'string') throw FhirHttpError.of(400, 'value', `${name}: give it once`, name);
    }
    const ask: RecognitionAsk = {
      patientKey: id,
      ...(typeof params['asOf'] === 'string' ? { asOf: params['asOf'] } : {}),
      ...(typeof params['requester'] === 'string' ? { requester: params['requester'] } : {}),
    };
    await this.answer(req, res, await this.query.ask(req, ask), `Patient/${id}/$recognisable`);
  }

  @Post('Patient/$recognisable')
  @HttpCode(200)
  async byIdentifier(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (Object.keys(req.query).length > 0)
      throw FhirHttpError.of(400, 'security', 'send the parameters in the body, not the URL', 'patient');
    await this.answer(req, res, await this.query.ask(req, askOfParameters(body)), 'Patient/$recognisable');
  }

  private async answer(req: Request, res: Response, reply: RecognitionReply, self: string): Promise<void> {
    const asOf = await this.resources.asOf(reply.answer);
    const { resources, missing } = eligibilityResources(reply.answer, asOf.resources);
    const base = fhirBaseUrl(req);
    const outcome: fhir4.OperationOutcome | undefined =
      missing.length > 0
        ? {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'warning',
                code: 'incomplete',
                diagnostics: `${missing.length} result(s) judged are not yet readable on platform-api (being projected); ask again shortly`,
              },
            ],
          }
        : undefined;
    sendFhir(
      res,
      200,
      searchsetBundle({
        baseUrl: base,
        selfUrl: `${base}/${self}`,
        total: resources.length,
        resources,
        // the measured values (what is recognised of a lab report), as include entries
        included: asOf.observations,
        ...(outcome ? { outcome } : {}),
      }),
    );
  }
}

/** A Parameters resource → the question (400 naming the parameter). */
export function askOfParameters(body: unknown): RecognitionAsk {
  const p = body as fhir4.Parameters | undefined;
  if (typeof p !== 'object' || p === null || p.resourceType !== 'Parameters')
    throw FhirHttpError.of(400, 'structure', 'the body must be a Parameters resource', 'Parameters');
  const seen = new Map<string, fhir4.ParametersParameter>();
  (p.parameter ?? []).forEach((param, i) => {
    const name = typeof param.name === 'string' ? param.name : '';
    if (!PARAMETERS.has(name))
      throw FhirHttpError.of(
        400,
        'not-supported',
        `${name.slice(0, 40)}: not a parameter of $recognisable`,
        `Parameters.parameter[${i}].name`,
      );
    if (seen.has(name)) throw FhirHttpError.of(400, 'structure', `${name}: give it once`, name);
    seen.set(name, param);
  });
  const patient = seen.get('patient');
  if (!patient)
    throw FhirHttpError.of(
      400,
      'required',
      'patient: the patient identifier (system|value) is required',
      'patient',
    );
  let identifier: { system: string; value: string } | undefined;
  if (typeof patient.valueString === 'string') {
    const bar = patient.valueString.indexOf('|');
    if (bar > 0)
      identifier = { system: patient.valueString.slice(0, bar), value: patient.valueString.slice(bar + 1) };
  } else if (patient.valueIdentifier?.system && patient.valueIdentifier.value) {
    identifier = { system: patient.valueIdentifier.system, value: patient.valueIdentifier.value };
  }
  if (!identifier)
    throw FhirHttpError.of(
      400,
      'value',
      'patient: expected valueString system|value or valueIdentifier',
      'patient',
    );
  const asOf = seen.get('asOf');
  const asOfValue = asOf?.valueInstant ?? asOf?.valueDateTime;
  if (asOf && typeof asOfValue !== 'string')
    throw FhirHttpError.of(400, 'value', 'asOf: expected valueInstant', 'asOf');
  const requester = seen.get('requester');
  const requesterValue = requester?.valueCode ?? requester?.valueString;
  if (requester && typeof requesterValue !== 'string')
    throw FhirHttpError.of(400, 'value', 'requester: expected valueCode (an institution code)', 'requester');
  return {
    identifier,
    ...(asOfValue !== undefined ? { asOf: asOfValue } : {}),
    ...(requesterValue !== undefined ? { requester: requesterValue } : {}),
  };
}
