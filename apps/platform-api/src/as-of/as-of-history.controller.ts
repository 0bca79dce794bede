import { Controller, Get, Inject, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, resourceTypeOf, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { historyBundle } from '../fhir/bundle';
import { FHIR_ID } from '../fhir/results-fhir.controller';
import { PATIENT_KEY } from '../fhir/search/fhir-search';
import { AsOfService } from './as-of.service';
import { type LogVersion, withEvent } from './log-versions';

type LogType = 'Observation' | 'DiagnosticReport' | 'ImagingStudy' | 'Patient';
const typeOf = (type: string): LogType =>
  type === 'Observation' || type === 'Patient' || type === 'ImagingStudy' ? type : 'DiagnosticReport';

/** `_history` and vread of results from the log (the types whose read model keeps no versions
 * of their own, and vread): `Observation/<id>/_history[/<vid>]`, `DiagnosticReport|ImagingStudy/<id>/_history/<vid>`,
 * `Patient/<key>/_history[/<vid>]` (the key's identity stream: where it pointed after each event).
 * Each version carries the event that made it (`meta.source` = its id, a tag its type). */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class AsOfHistoryController {
  constructor(
    @Inject(AsOfService) private readonly asOf: AsOfService,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  @Get('Observation/:id/_history')
  async observationHistory(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const versions = await this.versions(req, 'Observation', id, 'history');
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions.map(withEvent).reverse()));
  }

  @Get('Patient/:id/_history')
  async patientHistory(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const versions = await this.versions(req, 'Patient', id, 'history');
    sendFhir(res, 200, historyBundle(fhirBaseUrl(req), versions.map(withEvent).reverse()));
  }

  @Get([
    'Observation/:id/_history/:vid',
    'DiagnosticReport/:id/_history/:vid',
    'ImagingStudy/:id/_history/:vid',
    'Patient/:id/_history/:vid',
  ])
  async vread(@Param('id') id: string, @Param('vid') vid: string, @Req() req: Request, @Res() res: Response) {
    const type = typeOf(resourceTypeOf(req));
    const versions = await this.versions(req, type, id, 'read');
    const version = versions.find((v) => v.resource.meta?.versionId === vid);
    if (!version)
      throw FhirHttpError.of(404, 'not-found', `${type}/${id}/_history/${vid.slice(0, 20)} is not known`);
    sendFhir(res, 200, withEvent(version));
  }

  /** The resource's versions from the log, once the client is shown to be allowed them. */
  private async versions(
    req: Request,
    type: LogType,
    id: string,
    interaction: 'read' | 'history',
  ): Promise<LogVersion<fhir4.Resource>[]> {
    const client = await this.gate.open(req, type, null);
    if (!(type === 'Patient' ? PATIENT_KEY : FHIR_ID).test(id))
      throw FhirHttpError.of(400, 'invalid', `"${id.slice(0, 70)}" is not a ${type} id here`, 'id');
    const versions: LogVersion<fhir4.Resource>[] =
      type === 'Observation'
        ? await this.asOf.observationVersions(id)
        : type === 'Patient'
          ? await this.asOf.patientVersions(id)
          : type === 'ImagingStudy'
            ? await this.asOf.studyVersions(id)
            : await this.asOf.reportVersions(id);
    const patientKey = versions.at(-1)?.patientKey;
    if (!patientKey) throw FhirHttpError.of(404, 'not-found', `${type}/${id} is not known`);
    await this.gate.patient(req, client, type, patientKey);
    await this.gate.record(req, client, {
      patientKey,
      interaction,
      resourceType: type,
      returned: interaction === 'read' ? 1 : versions.length,
      resources: [`${type}/${id}`],
    });
    return versions;
  }
}
