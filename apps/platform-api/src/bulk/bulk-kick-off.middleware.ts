import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { FhirHttpError } from '@yilian/runtime';
import { parametersOf } from './bulk-export.params';
import { BulkExports } from './bulk-exports.service';

/**
 * The POST kick-off (a FHIR Parameters resource) of `/fhir/$export` and `/fhir/Patient/$export`.
 * A middleware, not a route: in the embedded hub intake's `POST /fhir/:type` dispatcher would
 * otherwise take `POST /fhir/$export` (module middleware runs before any module's routes).
 * Errors are OperationOutcomes as everywhere under /fhir.
 */
@Injectable()
export class BulkKickOffByPost implements NestMiddleware {
  constructor(@Inject(BulkExports) private readonly exports: BulkExports) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const path = req.originalUrl.split('?')[0];
    const level =
      path === '/fhir/$export' ? 'system' : path === '/fhir/Patient/$export' ? 'patient' : undefined;
    if (req.method !== 'POST' || !level) return next();
    try {
      this.exports.kickOff(level, () => parametersOf(req.body), req, res);
    } catch (e) {
      if (!(e instanceof FhirHttpError)) return next(e);
      res.status(e.status).type('application/fhir+json').send(JSON.stringify(e.outcome));
    }
  }
}
