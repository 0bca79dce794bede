import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  fhirBaseUrl,
  FhirExceptionFilter,
  FhirHttpError,
  headerValue,
  resourceTypeOf,
  sendFhir,
} from '@yilian/runtime';
import { AccessAuditService } from '../audit/access-audit.service';
import { PlatformAuth } from '../platform-auth';
import { historyBundle, searchsetBundle } from './bundle';
import { type ResultResourceType, ResultsReadRepository } from './results-read.repository';
import { parseSearch } from './search-params';

const TYPES: ReadonlySet<string> = new Set(['DiagnosticReport', 'Observation']);
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 read side for results: search, read and _history. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ResultsFhirController {
  constructor(
    private readonly repo: ResultsReadRepository,
    private readonly audit: AccessAuditService,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get(['DiagnosticReport', 'Observation'])
  async search(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const actor = this.auth.authenticate(req);
    const resourceType = this.resourceType(resourceTypeOf(req));
    const q = parseSearch(query, resourceType);
    const { total, resources } = await this.repo.search(resourceType, q);
    await this.audit.record({
      actor,
      purpose: headerValue(req, 'x-purpose-of-use'),
      patientKey: q.patientKey,
      interaction: 'search',
      resourceType,
      returned: resources.length,
    });
    const base = fhirBaseUrl(req);
    const self = `${base}/${resourceType}?${new URLSearchParams(query as Record<string, string>).toString()}`;
    const next =
      q.offset + resources.length < total
        ? `${base}/${resourceType}?${new URLSearchParams({ ...(query as Record<string, string>), _offset: String(q.offset + q.count) }).toString()}`
        : undefined;
    sendFhir(res, 200, searchsetBundle({ baseUrl: base, selfUrl: self, total, resources, nextUrl: next }));
  }

  @Get(['DiagnosticReport/:id', 'Observation/:id'])
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const resourceType = this.resourceType(resourceTypeOf(req));
    if (!FHIR_ID.test(id)) throw FhirHttpError.of(400, 'invalid', `"${id}" is not a FHIR id`, 'id');
    const resource = await this.repo.read(resourceType, id);
    if (!resource) throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    const patientKey = await this.repo.patientKeyOf(resourceType, id);
    await this.audit.record({ actor, patientKey, interaction: 'read', resourceType, returned: 1 });
    sendFhir(res, 200, resource);
  }

  @Get('DiagnosticReport/:id/_history')
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    if (!FHIR_ID.test(id)) throw FhirHttpError.of(400, 'invalid', `"${id}" is not a FHIR id`, 'id');
    const versions = await this.repo.reportHistory(id);
    if (versions.length === 0)
      throw FhirHttpError.of(404, 'not-found', `DiagnosticReport/${id} is not known`);
    const patientKey = await this.repo.patientKeyOf('DiagnosticReport', id);
    await this.audit.record({
      actor,
      patientKey,
      interaction: 'history',
      resourceType: 'DiagnosticReport',
      returned: versions.length,
    });
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions));
  }

  private resourceType(type: string): ResultResourceType {
    if (!TYPES.has(type))
      throw FhirHttpError.of(404, 'not-supported', `resource type ${type} is not served here`);
    return type as ResultResourceType;
  }
}
