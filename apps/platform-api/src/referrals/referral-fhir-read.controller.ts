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
import { historyBundle, searchsetBundle } from '../fhir/bundle';
import { PlatformAuth } from '../platform-auth';
import { ReferralFhirReadRepository } from './referral-fhir-read.repository';
import { parseReferralSearch, type ReferralResourceType } from './referral-fhir.search';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 read side of referrals, reached as /fhir/ServiceRequest and /fhir/Task : search, read, `_history` and `vread`. Every read is audited with
 * the patient keys it returned. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ReferralFhirReadController {
  constructor(
    private readonly repo: ReferralFhirReadRepository,
    private readonly audit: AccessAuditService,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get(['ServiceRequest', 'Task'])
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const resourceType = typeOf(resourceTypeOf(req));
    const q = parseReferralSearch(resourceType, query);
    const { total, found } = await this.repo.search(resourceType, q);
    await this.record(
      req,
      actor,
      'search',
      resourceType,
      found.map((f) => f.patientKey),
      q.patientKey,
    );
    const base = fhirBaseUrl(req);
    const params = query as Record<string, string>;
    const self = `${base}/${resourceType}?${new URLSearchParams(params).toString()}`;
    const more = q.offset + found.length < total;
    const next = `${base}/${resourceType}?${new URLSearchParams({ ...params, _offset: String(q.offset + q.count) }).toString()}`;
    const resources = found.map((f) => f.resource);
    sendFhir(
      res,
      200,
      searchsetBundle({ baseUrl: base, selfUrl: self, total, resources, ...(more ? { nextUrl: next } : {}) }),
    );
  }

  @Get(['ServiceRequest/:id', 'Task/:id'])
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const resourceType = typeOf(resourceTypeOf(req));
    const found = await this.repo.read(resourceType, checkedId(id));
    if (!found) throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    await this.record(req, actor, 'read', resourceType, [found.patientKey]);
    sendFhir(res, 200, found.resource);
  }

  @Get(['ServiceRequest/:id/_history', 'Task/:id/_history'])
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const resourceType = typeOf(resourceTypeOf(req));
    const found = await this.repo.read(resourceType, checkedId(id));
    const versions = found ? await this.repo.history(resourceType, id) : [];
    if (!found || versions.length === 0)
      throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    await this.record(req, actor, 'history', resourceType, [found.patientKey]);
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions));
  }

  @Get(['ServiceRequest/:id/_history/:vid', 'Task/:id/_history/:vid'])
  async vread(@Param('id') id: string, @Param('vid') vid: string, @Req() req: Request, @Res() res: Response) {
    const actor = this.auth.authenticate(req);
    const resourceType = typeOf(resourceTypeOf(req));
    const found = await this.repo.read(resourceType, checkedId(id));
    const [version] =
      found && /^\d{1,9}$/.test(vid) ? await this.repo.history(resourceType, id, Number(vid)) : [];
    if (!found || !version)
      throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id}/_history/${vid} is not known`);
    await this.record(req, actor, 'read', resourceType, [found.patientKey]);
    sendFhir(res, 200, version);
  }

  /** One access-log entry per patient whose data the answer holds. */
  private async record(
    req: Request,
    actor: string,
    interaction: 'search' | 'read' | 'history',
    resourceType: string,
    patientKeys: readonly string[],
    searched?: string,
  ): Promise<void> {
    const purpose = headerValue(req, 'x-purpose-of-use');
    const patients = [...new Set(patientKeys)];
    if (patients.length === 0) patients.push(searched ?? '');
    for (const patientKey of patients) {
      const returned = patientKeys.filter((k) => k === patientKey).length;
      await this.audit.record({
        actor,
        ...(purpose ? { purpose } : {}),
        ...(patientKey ? { patientKey } : {}),
        interaction,
        resourceType,
        returned,
      });
    }
  }
}

function typeOf(type: string): ReferralResourceType {
  if (type === 'ServiceRequest' || type === 'Task') return type;
  throw FhirHttpError.of(404, 'not-supported', `resource type ${type} is not served here`);
}

function checkedId(id: string): string {
  if (!FHIR_ID.test(id))
    throw FhirHttpError.of(400, 'invalid', `"${id.slice(0, 70)}" is not a FHIR id`, 'id');
  return id;
}
