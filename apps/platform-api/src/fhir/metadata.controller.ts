import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';

/** The CapabilityStatement: what this read side serves. */
@Controller('fhir')
export class MetadataController {
  @Get('metadata')
  metadata(@Res() res: Response): void {
    const search = [
      { name: 'patient', type: 'reference' as const, documentation: 'Patient/<hub patient key>' },
      { name: 'code', type: 'token' as const },
      { name: '_count', type: 'number' as const },
      { name: '_offset', type: 'number' as const },
    ];
    const statement: fhir4.CapabilityStatement = {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-11-23',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['application/fhir+json'],
      rest: [
        {
          mode: 'server',
          resource: (['DiagnosticReport', 'Observation'] as const).map((type) => ({
            type,
            interaction: [
              { code: 'read' as const },
              { code: 'search-type' as const },
              { code: 'history-instance' as const },
            ],
            searchParam: search,
          })),
        },
      ],
    };
    res.status(200).type('application/fhir+json').send(JSON.stringify(statement));
  }
}
