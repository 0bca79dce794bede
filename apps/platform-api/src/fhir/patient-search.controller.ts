import { Body, Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import {
  canonicalPatientKey,
  institutionOfMrnSystem,
  isResidentIdSystem,
  type PatientKeyer,
  parseResidentId,
} from '@yilian/patients';
import {
  fhirBaseUrl,
  FhirExceptionFilter,
  FhirHttpError,
  PATIENT_KEYER,
  READ_MODEL_POOL,
} from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { searchsetBundle } from './bundle';

/**
 * Finds the hub patient for an identifier without the identifier ever appearing in a URL:
 * `POST /fhir/Patient/_search` with a form body `identifier=<system>|<value>` (FHIR's search by
 * POST). Answers a searchset with the Patient whose id is the patient key — the key to use in
 * every other search: the patient the identifier's key is linked or merged into, else the
 * identifier's own key. The identifier is not echoed back.
 */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class PatientSearchController {
  constructor(
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  @Post('Patient/_search')
  async search(@Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res() res: Response) {
    const client = await this.gate.open(req, 'Patient', null);
    if (Object.keys(req.query).length > 0) {
      throw FhirHttpError.of(
        400,
        'security',
        'send search parameters in the form body, not the URL',
        'identifier',
      );
    }
    const raw = typeof body?.identifier === 'string' ? body.identifier : undefined;
    const bar = raw?.indexOf('|') ?? -1;
    if (!raw || bar < 1) {
      throw FhirHttpError.of(
        400,
        'required',
        'identifier=<system>|<value> is required in the form body',
        'identifier',
      );
    }
    const system = raw.slice(0, bar);
    const value = raw.slice(bar + 1).trim();
    let patientKey: string;
    if (isResidentIdSystem(system)) {
      const check = parseResidentId(value);
      if (!check.ok)
        throw FhirHttpError.of(400, 'value', `resident ID number is invalid: ${check.reason}`, 'identifier');
      patientKey = this.keyer.forResidentId(check.value);
    } else {
      const institution = institutionOfMrnSystem(system);
      if (!institution) {
        throw FhirHttpError.of(
          400,
          'not-supported',
          `identifier system ${system} is not known to the hub`,
          'identifier',
        );
      }
      patientKey = this.keyer.forMrn(institution, value);
    }
    // The patient the identifier belongs to now, through links and merges.
    patientKey = await canonicalPatientKey(this.pool, patientKey);
    await this.gate.patient(req, client, 'Patient', patientKey);
    await this.gate.record(req, client, {
      patientKey,
      interaction: 'search',
      resourceType: 'Patient',
      returned: 1,
      resources: [`Patient/${patientKey}`],
    });
    const patient: fhir4.Patient = { resourceType: 'Patient', id: patientKey };
    const base = fhirBaseUrl(req);
    res
      .status(200)
      .type('application/fhir+json')
      .send(
        JSON.stringify(
          searchsetBundle({
            baseUrl: base,
            selfUrl: `${base}/Patient/_search`,
            total: 1,
            resources: [patient],
          }),
        ),
      );
  }
}
