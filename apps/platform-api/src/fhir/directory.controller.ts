import { Controller, Get, Inject, Next, Optional, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import type { InstitutionDirectory } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { samePatientKeys } from '@yilian/patients';
import { REFERRAL_FHIR } from '@yilian/referrals';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, READ_MODEL_POOL, sendFhir } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { CONSOLE_INSTITUTIONS } from '../console/console-auth';
import { PlatformAuth } from '../platform-auth';
import { searchsetBundle } from './bundle';
import { SEARCH_TABLES } from './search/search-tables';
import { PATIENT_KEY } from './search/fhir-search';

const LEVEL_SYSTEM = 'https://fhir.yilian.cn/CodeSystem/institution-level';
const LEVEL_DISPLAY: Readonly<Record<string, string>> = {
  tertiary: '三级医院',
  secondary: '二级医院',
  primary: '基层医疗卫生机构',
};

interface Institution {
  readonly code: string;
  readonly name: string;
  readonly level?: string;
}

/**
 * The read side's directory: `GET /fhir/Patient/<key>` (the patient as the hub knows them — a
 * key, no demographics — with `link`s to the other keys of the same person) and
 * `GET /fhir/Organization[/<code>]` (the member institutions: from alliance membership, with
 * their level, and the configured institutions). A client that follows a result's `subject`
 * or `performer` reference lands here.
 */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class DirectoryController {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(ReadGate) private readonly gate: ReadGate,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Optional() @Inject(CONSOLE_INSTITUTIONS) private readonly institutions?: InstitutionDirectory,
  ) {}

  @Get('Patient/:id')
  async patient(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    // `$export`, `$recognisable` …: another route's (whichever the router met first)
    if (!PATIENT_KEY.test(id)) return next();
    const client = await this.gate.open(req, 'Patient', null);
    await this.gate.patient(req, client, 'Patient', id);
    const keys = await samePatientKeys(this.pool, id);
    if (keys.length === 1 && !(await this.holdsDataOf(id)))
      throw FhirHttpError.of(404, 'not-found', `the hub holds nothing of Patient ${id}`);
    await this.gate.record(req, client, {
      interaction: 'read',
      resourceType: 'Patient',
      patientKey: id,
      returned: 1,
      resources: [`Patient/${id}`],
    });
    const others = keys.filter((k) => k !== id);
    const patient: fhir4.Patient = {
      resourceType: 'Patient',
      id,
      active: true,
      ...(others.length > 0
        ? { link: others.map((k) => ({ other: { reference: `Patient/${k}` }, type: 'seealso' as const })) }
        : {}),
    };
    sendFhir(res, 200, patient);
  }

  @Get('Organization')
  async organizations(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    this.auth.authorize(req, 'Organization');
    const one = (name: string) => {
      const v = query[name];
      return typeof v === 'string' ? v : undefined;
    };
    const id = one('_id');
    const identifier = one('identifier');
    const name = one('name');
    const code = identifier?.includes('|') ? identifier.slice(identifier.indexOf('|') + 1) : identifier;
    const system = identifier?.includes('|') ? identifier.slice(0, identifier.indexOf('|')) : undefined;
    const found = (await this.known()).filter(
      (i) =>
        (id === undefined || id.split(',').includes(i.code)) &&
        (code === undefined ||
          (i.code === code && (system === undefined || system === REFERRAL_FHIR.institutionSystem))) &&
        (name === undefined || i.name.toLowerCase().includes(name.toLowerCase())),
    );
    const base = fhirBaseUrl(req);
    sendFhir(
      res,
      200,
      searchsetBundle({
        baseUrl: base,
        selfUrl: `${base}/Organization${req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : ''}`,
        total: found.length,
        resources: found.map(organization),
      }),
    );
  }

  @Get('Organization/:id')
  async organizationRead(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    this.auth.authorize(req, 'Organization');
    const found = (await this.known()).find((i) => i.code === id);
    if (!found) throw FhirHttpError.of(404, 'not-found', `no Organization ${id.slice(0, 64)}`);
    sendFhir(res, 200, organization(found));
  }

  /** Whether any read model holds data of this key. */
  private async holdsDataOf(key: string): Promise<boolean> {
    const probes = Object.values(SEARCH_TABLES).map((t) => `SELECT 1 FROM ${t.from} WHERE ${t.patient} = $1`);
    const { rows } = await this.pool.query(`SELECT EXISTS (${probes.join(' UNION ALL ')}) AS found`, [key]);
    return (rows[0] as { found: boolean }).found;
  }

  /** The institutions of alliance membership (with their level), then configured ones. */
  private async known(): Promise<Institution[]> {
    const { rows } = await this.pool.query<Institution>(
      `SELECT DISTINCT ON (institution) institution AS code, name, level FROM rm_alliance_members
        ORDER BY institution, left_at IS NULL DESC, joined_at DESC`,
    );
    const byCode = new Map(rows.map((r) => [r.code, r]));
    for (const i of this.institutions?.institutions ?? [])
      if (!byCode.has(i.code)) byCode.set(i.code, { code: i.code, name: i.name });
    return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
  }
}

function organization(i: Institution): fhir4.Organization {
  return {
    resourceType: 'Organization',
    id: i.code,
    identifier: [{ system: REFERRAL_FHIR.institutionSystem, value: i.code }],
    active: true,
    ...(i.level
      ? {
          type: [
            {
              coding: [{ system: LEVEL_SYSTEM, code: i.level, display: LEVEL_DISPLAY[i.level] ?? i.level }],
              text: LEVEL_DISPLAY[i.level] ?? i.level,
            },
          ],
        }
      : {}),
    name: i.name,
  };
}
