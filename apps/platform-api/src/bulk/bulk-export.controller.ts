import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Delete, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { scopesGrant } from '@yilian/config';
import { FhirExceptionFilter, FhirHttpError, headerValue, READ_MODEL_POOL } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { typesOf } from '../fhir/everything.controller';
import { dateRange } from '../fhir/search/search-values';
import { PlatformAuth, type ReadClient } from '../platform-auth';
import { BulkExportJob, type ExportType } from './bulk-export.job';

const FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const KNOWN = new Set(['_type', '_since', '_outputFormat']);

/**
 * FHIR Bulk Data Access (v2) export: kick-off `GET /fhir/$export` (system) or
 * `GET /fhir/Patient/$export` (every patient's compartment) with `Accept: application/fhir+json`
 * and `Prefer: respond-async` → 202 and Content-Location of the job; polling it answers 202 with
 * X-Progress while it runs, then 200 with the manifest; DELETE cancels; each NDJSON file is read
 * with the same credential (requiresAccessToken). Scoped to what the client may see. Group-level
 * export is not offered (the hub keeps no Groups).
 */
@Controller()
@UseFilters(FhirExceptionFilter)
export class BulkExportController {
  private readonly jobs = new Map<string, BulkExportJob>();
  private readonly root = join(tmpdir(), `yilian-bulk-${process.pid}`);

  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  @Get('fhir/$export')
  system(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): void {
    this.kickOff(query, req, res);
  }

  @Get('fhir/Patient/$export')
  patients(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): void {
    this.kickOff(query, req, res);
  }

  @Get('bulk/jobs/:id')
  status(@Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    const job = this.job(req, id);
    if (job.status === 'running' || job.status === 'cancelled') {
      res.status(202).set({ 'X-Progress': job.progress, 'Retry-After': '1' }).end();
      return;
    }
    if (job.status === 'failed') {
      throw FhirHttpError.of(500, 'exception', `the export failed: ${job.error ?? 'unknown error'}`);
    }
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    res
      .status(200)
      .set('Expires', new Date(Date.now() + 24 * 3600_000).toUTCString())
      .json({
        transactionTime: job.transactionTime.toISOString(),
        request: job.req.request,
        requiresAccessToken: true,
        output: job.output.map((o) => ({
          type: o.type,
          url: `${base}/bulk/files/${job.id}/${o.file}`,
          count: o.count,
        })),
        error: [],
      });
  }

  @Delete('bulk/jobs/:id')
  async cancel(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const job = this.job(req, id);
    await job.cancel();
    this.jobs.delete(id);
    res.status(202).end();
  }

  @Get('bulk/files/:id/:file')
  file(
    @Param('id') id: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const job = this.job(req, id);
    const output = job.output.find((o) => o.file === file);
    if (job.status !== 'done' || !output)
      throw FhirHttpError.of(404, 'not-found', 'no such file in this export');
    res.status(200).type('application/fhir+ndjson');
    createReadStream(join(job.dir, output.file)).pipe(res);
  }

  private kickOff(query: Record<string, unknown>, req: Request, res: Response): void {
    const client = this.auth.client(req);
    const accept = headerValue(req, 'accept') ?? '';
    if (!/application\/fhir\+json/.test(accept))
      throw FhirHttpError.of(400, 'invalid', 'an export kick-off needs Accept: application/fhir+json');
    if (!/respond-async/.test(headerValue(req, 'prefer') ?? ''))
      throw FhirHttpError.of(400, 'invalid', 'an export kick-off needs Prefer: respond-async');
    const strict = /handling\s*=\s*strict/.test(headerValue(req, 'prefer') ?? '');
    for (const name of Object.keys(query)) {
      if (!KNOWN.has(name) && strict)
        throw FhirHttpError.of(400, 'not-supported', `export parameter "${name}" is not supported`, name);
    }
    const format = query['_outputFormat'];
    if (format !== undefined && !(typeof format === 'string' && FORMATS.has(format)))
      throw FhirHttpError.of(
        400,
        'not-supported',
        '_outputFormat must be application/fhir+ndjson',
        '_outputFormat',
      );
    const types = this.types(client, query['_type']);
    const since = typeof query['_since'] === 'string' ? dateRange(query['_since'], '_since').lo : undefined;
    const id = randomUUID();
    const request = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`;
    const job = new BulkExportJob(
      id,
      { client, request, types, ...(since ? { since } : {}) },
      join(this.root, id),
      this.pool,
    );
    this.jobs.set(id, job);
    void job.run().then(() =>
      job.status === 'done'
        ? this.gate.record(req, client, {
            interaction: 'export',
            resourceType: types.join(','),
            returned: job.exported,
          })
        : undefined,
    );
    const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    res.status(202).set('Content-Location', `${base}/bulk/jobs/${id}`).end();
  }

  /** `_type`, or every type the client's scopes grant; a named type it may not read is 403. */
  private types(client: ReadClient, raw: unknown): ExportType[] {
    const named = raw !== undefined;
    const all: ExportType[] = ['Patient', ...typesOf(raw)];
    const names = (Array.isArray(raw) ? raw : [raw])
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => v.split(',').map((s) => s.trim()));
    const wanted = named ? all.filter((t) => names.includes(t)) : all;
    const allowed = wanted.filter((t) => scopesGrant(client.scopes, t));
    if (named && allowed.length < wanted.length) {
      const refused = wanted.filter((t) => !allowed.includes(t)).join(', ');
      throw FhirHttpError.of(
        403,
        'forbidden',
        `client ${client.name} has no scope to export ${refused}`,
        '_type',
      );
    }
    return allowed;
  }

  /** The job, for the client that started it (another client's job is not known to it). */
  private job(req: Request, id: string): BulkExportJob {
    const client = this.auth.client(req);
    const job = this.jobs.get(id);
    if (!job || job.req.client.name !== client.name)
      throw FhirHttpError.of(404, 'not-found', 'no such export job');
    return job;
  }
}
