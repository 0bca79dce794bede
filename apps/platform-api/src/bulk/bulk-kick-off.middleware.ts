import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { FhirHttpError } from '@yilian/runtime';
import { parametersOf } from './bulk-export.params';
import { PlatformAuth } from '../platform-auth';
import { BulkExports } from './bulk-exports.service';
import { PatientGroups } from './patient-groups';

/**
 * The POST kick-off (a FHIR Parameters resource) of `/fhir/$export`, `/fhir/Patient/$export` and
 * `/fhir/Group/<id>/$export`.
 * A middleware, not a route: in the embedded hub intake's `POST /fhir/:type` dispatcher would
 * otherwise take `POST /fhir/$export` (module middleware runs before any module's routes).
 * Errors are OperationOutcomes as everywhere under /fhir.
 */
@Injectable()
export class BulkKickOffByPost implements NestMiddleware {
  constructor(
    @Inject(BulkExports) private readonly exports: BulkExports,
    @Inject(PatientGroups) private readonly groups: PatientGroups,
    @Inject(PlatformAuth) private readonly auth: PlatformAuth,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const path = req.originalUrl.split('?')[0] ?? '';
    const groupId = /^\/fhir\/Group\/([^/]+)\/\$export$/.exec(path)?.[1];
    const level =
      path === '/fhir/$export'
        ? 'system'
        : path === '/fhir/Patient/$export'
          ? 'patient'
          : groupId
            ? 'group'
            : undefined;
    if (req.method !== 'POST' || !level) return next();
    try {
      const group = groupId
        ? await this.groups.get(this.auth.authorize(req, 'Group'), decodeURIComponent(groupId))
        : undefined;
      this.exports.kickOff(level, () => parametersOf(req.body), req, res, group?.institutions);
    } catch (e) {
      if (!(e instanceof FhirHttpError)) return next(e);
      res.status(e.status).type('application/fhir+json').send(JSON.stringify(e.outcome));
    }
  }
}
