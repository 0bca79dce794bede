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
    const { report, observations, specimens, patient, paths, resolved } = parsed.content;
    const accession = report.identifier?.find((i) => i.value)?.value;
    if (!accession) {
      throw FhirHttpError.of(
        400,
        'required',
        'the report needs a business identifier (accession number)',
        'DiagnosticReport.identifier',
      );
    }
    const who = submittedPatient(institution, report, patient, paths);
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
        resolve: (ref) => resolved.get(ref),
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
    const recorded = outcome.event?.data as
      | { observations?: fhir4.Observation[]; specimens?: fhir4.Specimen[]; report?: fhir4.DiagnosticReport }
      | undefined;
    const status = outcome.duplicate ? '200 OK' : '201 Created';
    // One response entry per request entry, in request order (FHIR transaction-response).
    const locationAt = new Map<string, string>([[paths.report, location]]);
    paths.observations.forEach((p, i) => {
      const o = recorded?.observations?.[i];
      if (o) locationAt.set(p, `Observation/${o.id}/_history/${outcome.version}`);
    });
    paths.specimens.forEach((p, i) => {
      const sp = recorded?.specimens?.[i];
      if (sp) locationAt.set(p, `Specimen/${sp.id}/_history/${outcome.version}`);
    });
    if (paths.patient) locationAt.set(paths.patient, recorded?.report?.subject?.reference ?? 'Patient');
    const entries = isObject(body) && Array.isArray(body.entry) ? body.entry : [];
    const response: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: (entries.length > 0 ? entries.map((_, i) => `Bundle.entry[${i}].resource`) : [paths.report]).map(
        (p) => ({
          response: { status, ...(locationAt.has(p) ? { location: locationAt.get(p) } : {}) },
        }),
      ),
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
