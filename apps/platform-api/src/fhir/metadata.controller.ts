import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { capabilityStatement } from './capability';

/** The CapabilityStatement at GET /fhir/metadata (fhir/capability.ts). */
@Controller('fhir')
export class MetadataController {
  @Get('metadata')
  metadata(@Res() res: Response): void {
    res.status(200).type('application/fhir+json').send(JSON.stringify(capabilityStatement()));
  }
}
