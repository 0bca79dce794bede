import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';

type Param = fhir4.CapabilityStatementRestResourceSearchParam;
const p = (name: string, type: Param['type'], documentation?: string): Param => ({
  name,
  type,
  ...(documentation ? { documentation } : {}),
});
const PAGING = [p('_count', 'number'), p('_offset', 'number')];
const PATIENT = p(
  'patient',
  'reference',
  'Patient/<hub patient key> (find it with POST /fhir/Patient/_search)',
);
const READ_SEARCH_HISTORY: fhir4.CapabilityStatementRestResourceInteraction[] = [
  { code: 'read' },
  { code: 'search-type' },
  { code: 'history-instance' },
];

/** What the read side serves (the CapabilityStatement at GET /fhir/metadata). */
const RESOURCES: fhir4.CapabilityStatementRestResource[] = [
  {
    type: 'DiagnosticReport',
    interaction: READ_SEARCH_HISTORY,
    searchParam: [PATIENT, p('code', 'token'), ...PAGING],
  },
  {
    type: 'Observation',
    interaction: READ_SEARCH_HISTORY,
    searchParam: [PATIENT, p('code', 'token'), ...PAGING],
  },
  {
    type: 'ImagingStudy',
    interaction: READ_SEARCH_HISTORY,
    searchParam: [PATIENT, p('modality', 'token'), ...PAGING],
  },
  {
    type: 'ServiceRequest',
    interaction: READ_SEARCH_HISTORY,
    searchParam: [
      PATIENT,
      p('requester', 'reference'),
      p('performer', 'reference'),
      p('status', 'token'),
      ...PAGING,
    ],
  },
  {
    type: 'Task',
    interaction: READ_SEARCH_HISTORY,
    searchParam: [
      PATIENT,
      p('owner', 'reference'),
      p('status', 'token'),
      p('business-status', 'token'),
      ...PAGING,
    ],
  },
  {
    type: 'Patient',
    interaction: [
      { code: 'search-type', documentation: 'POST /fhir/Patient/_search with identifier in the form body' },
    ],
    searchParam: [p('identifier', 'token', 'system|value, in the POST body only')],
  },
];

@Controller('fhir')
export class MetadataController {
  @Get('metadata')
  metadata(@Res() res: Response): void {
    const statement: fhir4.CapabilityStatement = {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-11-23',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['application/fhir+json'],
      rest: [{ mode: 'server', resource: RESOURCES }],
    };
    res.status(200).type('application/fhir+json').send(JSON.stringify(statement));
  }
}
