import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { RetrievalStamp } from '../access/retrieval-stamp';
import { AsOfReads, asksAsOf } from '../as-of/as-of-reads';
import { historyBundle } from '../fhir/bundle';
import { FhirSearchService } from '../fhir/search/fhir-search.service';
import { ImagingReadRepository } from './imaging-read.repository';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 ImagingStudy for the regional platform, reached as /fhir/ImagingStudy: search
 * (fhir/search), read, `_history`. Every read is recorded in the access log. Imaging reports are
 * DiagnosticReports, served with the others. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ImagingFhirReadController {
  constructor(
    private readonly repo: ImagingReadRepository,
    @Inject(FhirSearchService) private readonly searches: FhirSearchService,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(RetrievalStamp) private readonly retrievals: RetrievalStamp,
    @Inject(AsOfReads) private readonly asOf: AsOfReads,
  ) {}

  @Get('ImagingStudy')
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    if (asksAsOf(query)) return sendFhir(res, 200, await this.asOf.search(req, 'ImagingStudy', query));
    sendFhir(res, 200, await this.searches.search(req, 'ImagingStudy', query));
  }

  @Get('ImagingStudy/:id')
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const found = await this.found(req, id, 'read');
    sendFhir(
      res,
      200,
      await this.retrievals.stamp(found.client, 'fhir-read', found.patientKey, found.resource),
    );
  }

  @Get('ImagingStudy/:id/_history')
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await this.found(req, id, 'history');
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), await this.repo.history(id)));
  }

  /** The study, once the client is shown to be allowed it; the read recorded. */
  private async found(req: Request, id: string, interaction: 'read' | 'history') {
    const client = await this.gate.open(req, 'ImagingStudy', null);
    if (!FHIR_ID.test(id))
      throw FhirHttpError.of(400, 'invalid', `"${id.slice(0, 70)}" is not a FHIR id`, 'id');
    const found = await this.repo.read(id);
    if (!found) throw FhirHttpError.of(404, 'not-found', `ImagingStudy/${id} is not known`);
    await this.gate.patient(req, client, 'ImagingStudy', found.patientKey);
    await this.gate.record(req, client, {
      patientKey: found.patientKey,
      interaction,
      resourceType: 'ImagingStudy',
      returned: 1,
      resources: [`ImagingStudy/${id}`],
    });
    return { ...found, client };
  }
}
