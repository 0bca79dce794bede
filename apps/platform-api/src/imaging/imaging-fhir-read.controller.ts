import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, sendFhir } from '@yilian/runtime';
import { AccessAuditService } from '../audit/access-audit.service';
import { historyBundle, searchsetBundle } from '../fhir/bundle';
import { PlatformAuth } from '../platform-auth';
import { ImagingReadRepository } from './imaging-read.repository';
import { parseImagingStudySearch } from './imaging-study.search';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 ImagingStudy for the regional platform, reached as /fhir/ImagingStudy (see
 * its own routes under /fhir): search by patient (and modality), read, `_history`. Every read is
 * recorded in the access log. Imaging reports are DiagnosticReports, served with the others. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ImagingFhirReadController {
  constructor(
    private readonly repo: ImagingReadRepository,
    private readonly audit: AccessAuditService,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get('ImagingStudy')
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const q = parseImagingStudySearch(query);
    const { total, resources } = await this.repo.search(q);
    await this.record(req, actor, 'search', q.patientKey, resources.length);
    const base = fhirBaseUrl(req);
    const params = query as Record<string, string>;
    const self = `${base}/ImagingStudy?${new URLSearchParams(params).toString()}`;
    const more = q.offset + resources.length < total;
    const next = `${base}/ImagingStudy?${new URLSearchParams({ ...params, _offset: String(q.offset + q.count) }).toString()}`;
    sendFhir(
      res,
      200,
      searchsetBundle({ baseUrl: base, selfUrl: self, total, resources, ...(more ? { nextUrl: next } : {}) }),
    );
  }

  @Get('ImagingStudy/:id')
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const found = await this.repo.read(checkedId(id));
    if (!found) throw FhirHttpError.of(404, 'not-found', `ImagingStudy/${id} is not known`);
    await this.record(req, actor, 'read', found.patientKey, 1);
    sendFhir(res, 200, found.resource);
  }

  @Get('ImagingStudy/:id/_history')
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const found = await this.repo.read(checkedId(id));
    if (!found) throw FhirHttpError.of(404, 'not-found', `ImagingStudy/${id} is not known`);
    const versions = await this.repo.history(id);
    await this.record(req, actor, 'history', found.patientKey, versions.length);
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions));
  }

  private async record(
    req: Request,
    actor: string,
    interaction: 'search' | 'read' | 'history',
    patientKey: string,
    returned: number,
  ): Promise<void> {
    const v = req.headers['x-purpose-of-use'];
    const purpose = Array.isArray(v) ? v[0] : v;
    await this.audit.record({
      actor,
      ...(purpose ? { purpose } : {}),
      patientKey,
      interaction,
      resourceType: 'ImagingStudy',
      returned,
    });
  }
}

function checkedId(id: string): string {
  if (!FHIR_ID.test(id))
    throw FhirHttpError.of(400, 'invalid', `"${id.slice(0, 70)}" is not a FHIR id`, 'id');
  return id;
}
