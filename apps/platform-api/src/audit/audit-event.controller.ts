import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, READ_MODEL_POOL, sendFhir } from '@yilian/runtime';
import { searchsetBundle } from '../fhir/bundle';
import { dateCondition, token } from '../fhir/search/search-values';
import { PlatformAuth } from '../platform-auth';
import { type AccessRow, toAuditEvent } from './audit-event.mapper';

const SUBTYPE_TO_INTERACTION: Readonly<Record<string, string[]>> = {
  'search-type': ['search'],
  read: ['read'],
  'history-instance': ['history'],
  operation: ['everything', 'export'],
};

/** The access trail as FHIR AuditEvent, for auditors only (scope system/AuditEvent.read):
 * search by patient (or entity), agent, date, type/subtype, outcome; newest first, paged by
 * serial. Reading the trail is not itself recorded there (it holds no patient data of its own). */
@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class AuditEventController {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get('AuditEvent')
  async search(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    this.auth.authorize(req, 'AuditEvent');
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, values: readonly unknown[]) => {
      let i = 0;
      where.push(sql.replace(/\$\?/g, () => `$${params.push(values[i++])}`));
    };
    let count = 50;
    const used: [string, string][] = [];
    for (const [name, raw] of Object.entries(query)) {
      for (const value of (Array.isArray(raw) ? raw : [raw]).filter(
        (v): v is string => typeof v === 'string',
      )) {
        if (name !== '_cursor') used.push([name, value]);
        const list = value.split(',').filter(Boolean);
        if (name === 'patient' || name === 'entity') {
          const refs = list.map((v) => (v.includes('/') ? v : `Patient/${v}`));
          const keys = refs.filter((r) => r.startsWith('Patient/')).map((r) => r.slice(8));
          add('(patient_key = ANY($?::text[]) OR resources && $?::text[])', [keys, refs]);
        } else if (name === 'agent') {
          const names = list.map((v) => v.replace(/^(Device|Organization)\//, '').replace(/^[^|]*\|/, ''));
          add('(actor = ANY($?::text[]) OR client_institution = ANY($?::text[]))', [names, names]);
        } else if (name === 'date') {
          const c = dateCondition('at', value, name, new Date());
          add(c.sql, c.params);
        } else if (name === 'type') {
          if (!list.some((v) => token(v, name).code === 'rest')) where.push('false');
        } else if (name === 'subtype') {
          add('interaction = ANY($?::text[])', [
            list.flatMap((v) => SUBTYPE_TO_INTERACTION[token(v, name).code] ?? []),
          ]);
        } else if (name === 'outcome') {
          add('outcome = ANY($?::text[])', [
            list.map((v) => (token(v, name).code === '0' ? 'success' : 'refused')),
          ]);
        } else if (name === '_count') {
          count = Number(value);
          if (!Number.isInteger(count) || count < 1 || count > 1000)
            throw FhirHttpError.of(400, 'invalid', '_count must be an integer between 1 and 1000', '_count');
        } else if (name === '_cursor') {
          if (!/^\d{1,18}$/.test(value))
            throw FhirHttpError.of(400, 'invalid', '_cursor is not valid', '_cursor');
          add('serial < $?', [value]);
        } else if (name !== '_format') {
          throw FhirHttpError.of(
            400,
            'not-supported',
            `search parameter "${name}" is not supported on AuditEvent`,
            name,
          );
        }
      }
    }
    const { rows } = await this.pool.query<AccessRow>(
      `SELECT * FROM pa_access_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY serial DESC LIMIT ${count + 1}`,
      params,
    );
    const page = rows.slice(0, count);
    const base = fhirBaseUrl(req);
    const link = (extra: [string, string][]) =>
      `${base}/AuditEvent?${new URLSearchParams([...used, ...extra]).toString()}`;
    sendFhir(
      res,
      200,
      searchsetBundle({
        baseUrl: base,
        selfUrl: link([]),
        resources: page.map(toAuditEvent),
        ...(rows.length > count ? { nextUrl: link([['_cursor', page.at(-1)!.serial]]) } : {}),
      }),
    );
  }

  @Get('AuditEvent/:id')
  async read(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    this.auth.authorize(req, 'AuditEvent');
    const serial = /^ae-(\d{1,18})$/.exec(id)?.[1];
    const { rows } = serial
      ? await this.pool.query<AccessRow>('SELECT * FROM pa_access_log WHERE serial = $1', [serial])
      : { rows: [] };
    if (!rows[0]) throw FhirHttpError.of(404, 'not-found', `AuditEvent/${id.slice(0, 70)} is not known`);
    sendFhir(res, 200, toAuditEvent(rows[0]));
  }
}
