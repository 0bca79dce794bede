import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestOrigin } from '@yilian/runtime';
import { capabilityStatement } from './capability';

/** The CapabilityStatement at GET /fhir/metadata (fhir/capability.ts). */
@Controller('fhir')
export class MetadataController {
  @Get('metadata')
  metadata(@Req() req: Request, @Res() res: Response): void {
    res
      .status(200)
      .type('application/fhir+json')
      .send(JSON.stringify(capabilityStatement(requestOrigin(req))));
  }
}
