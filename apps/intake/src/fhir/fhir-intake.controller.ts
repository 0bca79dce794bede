import { Body, Controller, Inject, Param, Post, Put, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InstitutionDirectory } from '@yilian/config';
import { foreignNamespaceIssues, invalid, operationOutcome } from '@yilian/fhir';
import {
  authenticateInstitution,
  FhirExceptionFilter,
  FhirHttpError,
  INSTITUTIONS,
  tokenHeader,
} from '@yilian/runtime';
import { FHIR_WRITE_SLICES, type FhirWrite, type FhirWriteSlice, isObject } from './fhir-write';

/**
 * FHIR R4 writes from member systems, one door for every slice: `POST /fhir` (a transaction
 * Bundle), `POST /fhir/{type}` and `PUT /fhir/{type}/{id}`. The institution is authenticated
 * first (its API key); then each slice is asked in turn whether the write is its — imaging
 * (ImagingStudy, or a DiagnosticReport / Bundle naming a study), referrals (ServiceRequest, Task,
 * or a Bundle carrying them), lab results (any other Bundle or DiagnosticReport) — and the first
 * that takes it answers. Patients have routes of their own (`PatientsFhirController`).
 */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class FhirIntakeController {
  constructor(
    @Inject(FHIR_WRITE_SLICES) private readonly slices: readonly FhirWriteSlice[],
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
  ) {}

  @Post()
  transaction(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    if (!isObject(body) || body.resourceType !== 'Bundle') {
      throw new FhirHttpError(400, invalid('POST /fhir takes a transaction Bundle', 'Bundle'));
    }
    return this.dispatch({ method: 'POST', institution, body, req, res });
  }

  @Post(':type')
  create(
    @Param('type') type: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    return this.dispatch({ method: 'POST', type, institution, body, req, res });
  }

  @Put(':type/:id')
  update(
    @Param('type') type: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const institution = authenticateInstitution(req, this.institutions).code;
    return this.dispatch({ method: 'PUT', type, id, institution, body, req, res });
  }

  private dispatch(w: Omit<FhirWrite, 'correlationId'>): Promise<void> {
    const correlationId = tokenHeader(w.req, 'x-correlation-id');
    const write: FhirWrite = { ...w, ...(correlationId ? { correlationId } : {}) };
    // the institution in an identifier's namespace is the credential's, never the body's
    const foreign = foreignNamespaceIssues(write.body, write.institution);
    if (foreign.length > 0) throw new FhirHttpError(422, operationOutcome(foreign));
    const slice = this.slices.find((s) => s.takes(write));
    if (!slice) {
      const what = `${write.method} /fhir/${write.type ?? ''}${write.id !== undefined ? '/{id}' : ''}`;
      throw FhirHttpError.of(
        404,
        'not-supported',
        `${what} is not supported; the hub takes transaction Bundles (POST /fhir), DiagnosticReport, ImagingStudy, ServiceRequest and Patient (POST /fhir/{type}) and Task updates (PUT /fhir/Task/{id})`,
      );
    }
    return slice.write(write);
  }
}
