import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Controller, Delete, Get, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fhirBaseUrl, FhirExceptionFilter, FhirHttpError, requestOrigin } from '@yilian/runtime';
import { searchsetBundle } from '../fhir/bundle';
import { PlatformAuth } from '../platform-auth';
import { queryParams } from './bulk-export.params';
import { BulkExports, RETRY_AFTER_S } from './bulk-exports.service';
import { PatientGroups } from './patient-groups';

/**
 * FHIR Bulk Data Access v2.0.0 export (docs/bulk-data.md): kick-off `GET` (here) or `POST` with
 * a Parameters resource (bulk-kick-off.middleware.ts) of `/fhir/$export` (system) or
 * `/fhir/Patient/$export` (every patient's compartment) with `Prefer: respond-async` (and
 * `Accept: application/fhir+json`, assumed when absent) → 202 and Content-Location of the job;
 * polling it answers 202 with X-Progress and Retry-After while it runs, then 200 with the
 * manifest (`Expires`: when the job and its files are removed) or a 500 OperationOutcome if it
 * failed; DELETE cancels or removes it (202), later polls 404; each NDJSON file is read with the
 * same credential (requiresAccessToken). Scoped to what the client may see. Group level:
 * `/fhir/Group/<alliance>/$export`, the patients of an alliance's members (patient-groups.ts).
 */
@Controller()
@UseFilters(FhirExceptionFilter)
export class BulkExportController {
  constructor(
    @Inject(BulkExports) private readonly exports: BulkExports,
    @Inject(PatientGroups) private readonly groups: PatientGroups,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  @Get('fhir/$export')
  system(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): void {
    this.exports.kickOff('system', () => queryParams(query), req, res);
  }

  @Get('fhir/Patient/$export')
  patients(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): void {
    this.exports.kickOff('patient', () => queryParams(query), req, res);
  }

  @Get('fhir/Group/:id/$export')
  async group(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const group = await this.groups.get(this.auth.authorize(req, 'Group'), id);
    this.exports.kickOff('group', () => queryParams(query), req, res, group.institutions);
  }

  @Get('fhir/Group')
  async groupSearch(@Req() req: Request, @Res() res: Response): Promise<void> {
    const groups = await this.groups.list(this.auth.authorize(req, 'Group'));
    const base = fhirBaseUrl(req);
    const bundle = searchsetBundle({
      baseUrl: base,
      selfUrl: `${base}/Group`,
      total: groups.length,
      resources: await Promise.all(groups.map((g) => this.groups.resource(g))),
    });
    res.status(200).type('application/fhir+json').send(JSON.stringify(bundle));
  }

  @Get('fhir/Group/:id')
  async groupRead(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const group = await this.groups.get(this.auth.authorize(req, 'Group'), id);
    res
      .status(200)
      .type('application/fhir+json')
      .send(JSON.stringify(await this.groups.resource(group)));
  }

  @Get('bulk/jobs/:id')
  status(@Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    const job = this.exports.job(req, id);
    if (job.status === 'running' || job.status === 'cancelled') {
      res
        .status(202)
        .set({ 'X-Progress': job.progress, 'Retry-After': String(RETRY_AFTER_S) })
        .end();
      return;
    }
    if (job.status === 'failed') {
      throw FhirHttpError.of(500, 'exception', `the export failed: ${job.error ?? 'unknown error'}`);
    }
    const base = requestOrigin(req);
    const url = (file: string) => `${base}/bulk/files/${job.id}/${file}`;
    res
      .status(200)
      .type('application/json')
      .set('Expires', this.exports.expiresAt(job).toUTCString())
      .send(
        JSON.stringify({
          transactionTime: job.transactionTime.toISOString(),
          request: job.req.request,
          requiresAccessToken: true,
          output: job.output.map((o) => ({ type: o.type, url: url(o.file), count: o.count })),
          error: job.messages.map((m) => ({ type: m.type, url: url(m.file) })),
        }),
      );
  }

  @Delete('bulk/jobs/:id')
  async cancel(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.exports.remove(this.exports.job(req, id));
    res.status(202).end();
  }

  @Get('bulk/files/:id/:file')
  file(
    @Param('id') id: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const job = this.exports.job(req, id);
    const output = job.fileNamed(file);
    if (job.status !== 'done' || !output)
      throw FhirHttpError.of(404, 'not-found', 'no such file in this export');
    res.status(200).type('application/fhir+ndjson').set('Expires', this.exports.expiresAt(job).toUTCString());
    const stream = createReadStream(join(job.dir, output.file));
    stream.on('error', () => (res.headersSent ? res.destroy() : res.status(404).end()));
    stream.pipe(res);
  }
}
