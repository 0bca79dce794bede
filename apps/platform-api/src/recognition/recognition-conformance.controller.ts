import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, sendFhir } from '@yilian/runtime';
import { searchsetBundle } from '../fhir/bundle';
import {
  type ConformanceType,
  conformanceResource,
  RECOGNITION_CONFORMANCE,
} from './recognition-conformance';

/** The conformance resources of `$recognisable` (the extension's StructureDefinition, the
 * CodeSystems and ValueSets it binds, the OperationDefinition), read and listed. Public like
 * /fhir/metadata: they describe the API, not a patient. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class RecognitionConformanceController {
  @Get(['StructureDefinition', 'CodeSystem', 'ValueSet', 'OperationDefinition'])
  list(@Req() req: Request, @Res() res: Response): void {
    const type = typeOf(req);
    const url = typeof req.query['url'] === 'string' ? req.query['url'].split('|')[0] : undefined;
    const resources = (RECOGNITION_CONFORMANCE[type] as readonly { url?: string }[]).filter(
      (r) => url === undefined || r.url === url,
    ) as fhir4.Resource[];
    const base = fhirBaseUrl(req);
    sendFhir(
      res,
      200,
      searchsetBundle({ baseUrl: base, selfUrl: `${base}/${type}`, total: resources.length, resources }),
    );
  }

  @Get(['StructureDefinition/:id', 'CodeSystem/:id', 'ValueSet/:id', 'OperationDefinition/:id'])
  read(@Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    const type = typeOf(req);
    const resource = conformanceResource(type, id);
    if (!resource) throw FhirHttpError.of(404, 'not-found', `${type}/${id.slice(0, 64)} is not known`, 'id');
    sendFhir(res, 200, resource);
  }
}

function typeOf(req: Request): ConformanceType {
  const segment = req.path.split('/')[2] ?? '';
  return segment as ConformanceType;
}
