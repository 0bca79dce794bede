import { Body, Controller, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import type { InstitutionDirectory } from '@yilian/config';
import { WrongExpectedRevisionError } from '@yilian/event-store';
import { operationOutcome, parseLabReport, httpStatusOf, invalid } from '@yilian/fhir';
import { LabReportRejection } from '@yilian/results';
import { authenticateInstitution, FhirExceptionFilter, FhirHttpError, INSTITUTIONS } from '@yilian/runtime';
import { LabResultsIntake } from '../results/lab-results.intake';
import { submittedPatient } from './submitted-patient';

/** FHIR R4 writes from member systems: a lab report as a transaction Bundle (POST /fhir) or as
 * a DiagnosticReport with contained Observations (POST /fhir/DiagnosticReport). */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class FhirIntakeController {
  constructor(
    private readonly labResults: LabResultsIntake,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
  ) {}

  @Post()
  async transaction(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    if (!isObject(body) || body.resourceType !== 'Bundle') {
      throw new FhirHttpError(400, invalid('POST /fhir takes a transaction Bundle', 'Bundle'));
    }
    await this.recordLabReport(institution, body, req, res);
  }

  @Post(':type')
  async create(
    @Param('type') type: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const institution = authenticateInstitution(req, this.institutions).code;
    if (type !== 'DiagnosticReport') {
      throw FhirHttpError.of(
        404,
        'not-supported',
        `POST /fhir/${type} is not supported; send lab reports as DiagnosticReport or a transaction Bundle`,
      );
    }
    if (!isObject(body) || body.resourceType !== 'DiagnosticReport') {
      throw new FhirHttpError(
        400,
        invalid(`the body must be a DiagnosticReport`, 'DiagnosticReport.resourceType'),
      );
    }
    await this.recordLabReport(institution, body, req, res);
  }

  private async recordLabReport(
    institution: string,
    body: unknown,
    req: Request,
    res: Response,
  ): Promise<void> {
    const parsed = parseLabReport(body);
    if (!parsed.ok) {
      const outcome = operationOutcome(parsed.issues);
      throw new FhirHttpError(httpStatusOf(outcome), outcome);
    }
    const { report, observations, specimens, patient } = parsed.content;
    const accession = report.identifier?.find((i) => i.value)?.value;
    if (!accession) {
      throw FhirHttpError.of(
        400,
        'required',
        'the report needs a business identifier (accession number)',
        'DiagnosticReport.identifier',
      );
    }
    const who = submittedPatient(institution, report, patient);
    if (!who.ok) {
      const outcome = operationOutcome(who.issues);
      throw new FhirHttpError(httpStatusOf(outcome), outcome);
    }
    let outcome;
    try {
      outcome = await this.labResults.record({
        institution,
        accession,
        patient: who.patient,
        report,
        observations,
        specimens,
        protocol: 'fhir',
        messageId: accession,
        correlationId: headerOf(req, 'x-correlation-id'),
      });
    } catch (e) {
      if (e instanceof WrongExpectedRevisionError) {
        throw FhirHttpError.of(409, 'conflict', 'the report was changed concurrently; send it again');
      }
      if (e instanceof LabReportRejection)
        throw FhirHttpError.of(422, 'business-rule', e.message, 'DiagnosticReport.subject');
      throw e;
    }
    const location = `DiagnosticReport/${outcome.id}/_history/${outcome.version}`;
    const recorded = outcome.event?.data as { observations?: fhir4.Observation[] } | undefined;
    const response: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [
        { response: { status: outcome.duplicate ? '200 OK' : '201 Created', location } },
        ...(recorded?.observations ?? []).map((o) => ({
          response: {
            status: outcome.duplicate ? '200 OK' : '201 Created',
            location: `Observation/${o.id}/_history/${outcome.version}`,
          },
        })),
      ],
    };
    res
      .status(outcome.duplicate ? 200 : 201)
      .location(location)
      .type('application/fhir+json')
      .send(JSON.stringify(response));
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headerOf(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && /^[A-Za-z0-9\-_.:]{1,100}$/.test(s) ? s : undefined;
}
