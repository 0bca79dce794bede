import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { scopesGrant } from '@yilian/config';
import { FhirHttpError, headerValue, READ_MODEL_POOL, requestOrigin } from '@yilian/runtime';
import { ReadGate } from '../access/read-gate';
import { typesOf } from '../fhir/everything.controller';
import { PlatformAuth, type ReadClient } from '../platform-auth';
import { BulkExportJob, type ExportType } from './bulk-export.job';
import { type ExportLevel, handlingOf, kickOffParams, type RawParam } from './bulk-export.params';

/** Exports one client may have running at once; one more is 429 with Retry-After. */
export const MAX_RUNNING_EXPORTS = 2;
/** How long a finished export's manifest and files stay (the manifest's `Expires`). */
export const EXPORT_RETENTION_MS = 3600_000;
export const RETRY_AFTER_S = 2;

/** The export jobs of this process (in memory: a restart forgets them) and their kick-off. */
@Injectable()
export class BulkExports implements OnModuleDestroy {
  private readonly jobs = new Map<string, BulkExportJob>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly root = join(tmpdir(), `yilian-bulk-${process.pid}`);

  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
    @Inject(ReadGate) private readonly gate: ReadGate,
  ) {}

  /** Checks the headers and parameters, starts the job, answers 202 with Content-Location. */
  /** `groupInstitutions`: a Group-level export's members (patient-groups.ts). */
  kickOff(
    level: ExportLevel,
    raw: () => RawParam[],
    req: Request,
    res: Response,
    groupInstitutions?: readonly string[],
  ): void {
    const client = this.auth.client(req);
    const accept = headerValue(req, 'accept');
    // the IG: without Accept the server may proceed as if application/fhir+json was asked
    if (accept !== undefined && !/application\/fhir\+json|\*\/\*/.test(accept))
      throw FhirHttpError.of(
        400,
        'not-supported',
        'an export kick-off answers application/fhir+json only (Accept)',
      );
    const prefer = headerValue(req, 'prefer') ?? '';
    if (!/(^|[\s,;])respond-async([\s,;]|$)/.test(prefer))
      throw FhirHttpError.of(400, 'invalid', 'an export kick-off needs Prefer: respond-async');
    const params = kickOffParams(raw(), level, handlingOf(prefer));
    const types = this.types(client, params.type);
    const running = [...this.jobs.values()].filter(
      (j) => j.status === 'running' && j.req.client.name === client.name,
    );
    if (running.length >= MAX_RUNNING_EXPORTS) {
      res.set('Retry-After', String(RETRY_AFTER_S * 5));
      throw FhirHttpError.of(
        429,
        'throttled',
        `client ${client.name} has ${running.length} exports running (at most ${MAX_RUNNING_EXPORTS}); retry later or DELETE one`,
      );
    }
    const id = randomUUID();
    const request = `${requestOrigin(req)}${req.originalUrl}`;
    const job = new BulkExportJob(
      id,
      {
        client,
        request,
        types,
        ...(params.since ? { since: params.since } : {}),
        ...(params.patients ? { patients: params.patients } : {}),
        ...(groupInstitutions ? { groupInstitutions } : {}),
        ignored: params.ignored,
      },
      join(this.root, id),
      this.pool,
    );
    this.jobs.set(id, job);
    void job.run().then(async () => {
      if (job.status === 'running' || job.status === 'cancelled') return;
      this.expireLater(job);
      if (job.status === 'done')
        await this.gate
          .record(req, client, {
            interaction: 'export',
            resourceType: types.join(','),
            returned: job.exported,
          })
          .catch(() => undefined);
    });
    const base = requestOrigin(req);
    res.status(202).set('Content-Location', `${base}/bulk/jobs/${id}`).end();
  }

  /** The job, for the client that started it (another client's job is not known to it). */
  job(req: Request, id: string): BulkExportJob {
    const client = this.auth.client(req);
    const job = this.jobs.get(id);
    if (!job || job.req.client.name !== client.name)
      throw FhirHttpError.of(404, 'not-found', 'no such export job');
    return job;
  }

  /** DELETE: the job stops (if running), its files go, later polls 404. */
  async remove(job: BulkExportJob): Promise<void> {
    if (this.jobs.get(job.id) === job) this.jobs.delete(job.id);
    await job.cancel();
  }

  expiresAt(job: BulkExportJob): Date {
    return new Date((job.completedAt ?? new Date()).getTime() + EXPORT_RETENTION_MS);
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const job of this.jobs.values()) void job.cancel();
    this.jobs.clear();
  }

  /** A finished (or failed) job and its files are removed after EXPORT_RETENTION_MS. */
  private expireLater(job: BulkExportJob): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.remove(job);
    }, EXPORT_RETENTION_MS);
    timer.unref();
    this.timers.add(timer);
  }

  /** `_type`, or every type the client's scopes grant; a named type it may not read is 403. */
  private types(client: ReadClient, raw: readonly string[] | undefined): ExportType[] {
    const named = raw !== undefined;
    const all: ExportType[] = ['Patient', ...typesOf(raw === undefined ? undefined : [...raw])];
    const names = (raw ?? []).flatMap((v) => v.split(',').map((s) => s.trim()));
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
}
