import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, resourceTypeOf, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { RetrievalStamp } from '../access/retrieval-stamp';
import { AsOfReads, asksAsOf } from '../as-of/as-of-reads';
import { historyBundle } from './bundle';
import { type ResultResourceType, ResultsReadRepository } from './results-read.repository';
import { FhirSearchService } from './search/fhir-search.service';

const TYPES: ReadonlySet<string> = new Set(['DiagnosticReport', 'Observation']);
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 read side for results: search, read and _history. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ResultsFhirController {
  constructor(
    private readonly repo: ResultsReadRepository,
    @Inject(FhirSearchService) private readonly searches: FhirSearchService,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(RetrievalStamp) private readonly retrievals: RetrievalStamp,
    @Inject(AsOfReads) private readonly asOf: AsOfReads,
  ) {}

  @Get(['DiagnosticReport', 'Observation'])
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const resourceType = this.resourceType(resourceTypeOf(req));
    if (asksAsOf(query)) return sendFhir(res, 200, await this.asOf.search(req, resourceType, query));
    sendFhir(res, 200, await this.searches.search(req, resourceType, query));
  }

  @Get(['DiagnosticReport/:id', 'Observation/:id'])
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const resourceType = this.resourceType(resourceTypeOf(req));
    const client = await this.gate.open(req, resourceType, null);
    if (!FHIR_ID.test(id)) throw FhirHttpError.of(400, 'invalid', `"${id}" is not a FHIR id`, 'id');
    const resource = await this.repo.read(resourceType, id);
    const patientKey = await this.repo.patientKeyOf(resourceType, id);
    if (!resource || !patientKey)
      throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    await this.gate.patient(req, client, resourceType, patientKey);
    const ref = `${resourceType}/${id}`;
    await this.gate.record(req, client, {
      patientKey,
      interaction: 'read',
      resourceType,
      returned: 1,
      resources: [ref],
    });
    // a report of another institution read by an institution is a retrieval (调阅), with a serial
    sendFhir(
      res,
      200,
      resource.resourceType === 'DiagnosticReport'
        ? await this.retrievals.stamp(client, 'fhir-read', patientKey, resource as fhir4.DiagnosticReport)
        : resource,
    );
  }

  @Get('DiagnosticReport/:id/_history')
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const client = await this.gate.open(req, 'DiagnosticReport', null);
    if (!FHIR_ID.test(id)) throw FhirHttpError.of(400, 'invalid', `"${id}" is not a FHIR id`, 'id');
    const versions = await this.repo.reportHistory(id);
    const patientKey = await this.repo.patientKeyOf('DiagnosticReport', id);
    if (versions.length === 0 || !patientKey)
      throw FhirHttpError.of(404, 'not-found', `DiagnosticReport/${id} is not known`);
    await this.gate.patient(req, client, 'DiagnosticReport', patientKey);
    await this.gate.record(req, client, {
      patientKey,
      interaction: 'history',
      resourceType: 'DiagnosticReport',
      returned: versions.length,
      resources: [`DiagnosticReport/${id}`],
    });
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions));
  }

  private resourceType(type: string): ResultResourceType {
    if (!TYPES.has(type))
      throw FhirHttpError.of(404, 'not-supported', `resource type ${type} is not served here`);
    return type as ResultResourceType;
  }
}
