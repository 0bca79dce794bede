import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, resourceTypeOf, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { AsOfReads, asksAsOf } from '../as-of/as-of-reads';
import { historyBundle } from '../fhir/bundle';
import { FhirSearchService } from '../fhir/search/fhir-search.service';
import { ReferralFhirReadRepository, type ReferralResourceType } from './referral-fhir-read.repository';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** FHIR R4 read side of referrals, reached as /fhir/ServiceRequest and /fhir/Task: search
 * (fhir/search), read, `_history` and `vread` — ServiceRequest of orders (HL7 v2 ORM / OML /
 * OMG / OMI, rm_orders) too. Every read is audited with the patient keys it returned. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class ReferralFhirReadController {
  constructor(
    private readonly repo: ReferralFhirReadRepository,
    @Inject(FhirSearchService) private readonly searches: FhirSearchService,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(AsOfReads) private readonly asOf: AsOfReads,
  ) {}

  @Get(['ServiceRequest', 'Task'])
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const type = typeOf(resourceTypeOf(req));
    if (asksAsOf(query)) return sendFhir(res, 200, await this.asOf.search(req, type, query));
    sendFhir(res, 200, await this.searches.search(req, type, query));
  }

  @Get(['ServiceRequest/:id', 'Task/:id'])
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const found = await this.found(req, id, 'read');
    sendFhir(res, 200, found.resource);
  }

  @Get(['ServiceRequest/:id/_history', 'Task/:id/_history'])
  async history(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const resourceType = typeOf(resourceTypeOf(req));
    await this.found(req, id, 'history');
    const versions = await this.repo.history(resourceType, id);
    if (versions.length === 0) throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions));
  }

  @Get(['ServiceRequest/:id/_history/:vid', 'Task/:id/_history/:vid'])
  async vread(@Param('id') id: string, @Param('vid') vid: string, @Req() req: Request, @Res() res: Response) {
    const resourceType = typeOf(resourceTypeOf(req));
    await this.found(req, id, 'read');
    const [version] = /^\d{1,9}$/.test(vid) ? await this.repo.history(resourceType, id, Number(vid)) : [];
    if (!version)
      throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id}/_history/${vid} is not known`);
    sendFhir(res, 200, version);
  }

  /** The referral's resource, once the client is shown to be allowed it; the read recorded. */
  private async found(req: Request, id: string, interaction: 'read' | 'history') {
    const resourceType = typeOf(resourceTypeOf(req));
    const client = await this.gate.open(req, resourceType, null);
    if (!FHIR_ID.test(id))
      throw FhirHttpError.of(400, 'invalid', `"${id.slice(0, 70)}" is not a FHIR id`, 'id');
    const found = await this.repo.read(resourceType, id);
    if (!found) throw FhirHttpError.of(404, 'not-found', `${resourceType}/${id} is not known`);
    await this.gate.patient(req, client, resourceType, found.patientKey);
    await this.gate.record(req, client, {
      patientKey: found.patientKey,
      interaction,
      resourceType,
      returned: 1,
      resources: [`${resourceType}/${id}`],
    });
    return found;
  }
}

function typeOf(type: string): ReferralResourceType {
  if (type === 'ServiceRequest' || type === 'Task') return type;
  throw FhirHttpError.of(404, 'not-supported', `resource type ${type} is not served here`);
}
