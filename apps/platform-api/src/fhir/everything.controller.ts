import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { samePatientKeys } from '@yilian/patients';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, READ_MODEL_POOL, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { AsOfReads, asksAsOf } from '../as-of/as-of-reads';
import { scopesGrant } from '@yilian/config';
import { searchsetBundle } from './bundle';
import { dateRange } from './search/search-values';
import { SEARCH_TABLES, type SearchableType } from './search/search-tables';
import { PATIENT_KEY } from './search/fhir-search';

/** `GET /fhir/Patient/{id}/$everything`: the patient's Patient resource and every resource of
 * theirs the hub serves (under every key of the same person), `_type` and `_since` honoured,
 * limited to the types the client's scopes grant. One searchset, no paging. */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class EverythingController {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(AsOfReads) private readonly asOf: AsOfReads,
  ) {}

  @Get('Patient/:id/$everything')
  async everything(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (asksAsOf(query)) return sendFhir(res, 200, await this.asOf.everything(req, id, query));
    const client = await this.gate.open(req, 'Patient', null);
    if (!PATIENT_KEY.test(id))
      throw FhirHttpError.of(400, 'invalid', 'the id must be a hub patient key', 'id');
    await this.gate.patient(req, client, 'Patient', id);
    const types = typesOf(query['_type']);
    const since = typeof query['_since'] === 'string' ? dateRange(query['_since'], '_since').lo : undefined;
    const keys = await samePatientKeys(this.pool, id);
    const found: { resource: fhir4.Resource; patientKey: string }[] = [];
    for (const table of Object.values(SEARCH_TABLES)) {
      if (!types.includes(table.type) || !scopesGrant(client.scopes, table.type)) continue;
      const { rows } = await this.pool.query<{ resource: fhir4.Resource; patient_key: string }>(
        `SELECT ${table.resource} AS resource, patient_key FROM ${table.from}
          WHERE patient_key = ANY($1::text[]) AND ($2::timestamptz IS NULL OR ${table.lastUpdated} > $2)
          ORDER BY ${table.sort} DESC, ${table.id} DESC`,
        [keys, since ?? null],
      );
      found.push(...rows.map((r) => ({ resource: r.resource, patientKey: r.patient_key })));
    }
    const patient: fhir4.Patient = { resourceType: 'Patient', id };
    await this.gate.recordPerPatient(
      req,
      client,
      { interaction: 'everything', resourceType: 'Patient' },
      found.map((f) => ({ patientKey: f.patientKey, ref: `${f.resource.resourceType}/${f.resource.id}` })),
      id,
    );
    const base = fhirBaseUrl(req);
    const resources = [patient, ...found.map((f) => f.resource)];
    sendFhir(
      res,
      200,
      searchsetBundle({
        baseUrl: base,
        selfUrl: `${base}/Patient/${id}/$everything`,
        total: resources.length,
        resources,
      }),
    );
  }
}

/** `_type=DiagnosticReport,Observation` → the served types named (all when absent). */
export function typesOf(raw: unknown): SearchableType[] {
  const all = Object.keys(SEARCH_TABLES) as SearchableType[];
  if (raw === undefined) return all;
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(',')).map((s) => s.trim());
  for (const n of names) {
    if (n !== 'Patient' && !all.includes(n as SearchableType))
      throw FhirHttpError.of(
        400,
        'not-supported',
        `_type: ${n.slice(0, 40)} is not served (${all.join(', ')})`,
        '_type',
      );
  }
  return all.filter((t) => names.includes(t));
}
