import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The results slice registers `GET /fhir/:type` and `GET /fhir/:type/:id` (answering 404 for
 * types it does not serve) before this slice's routes exist. Middleware runs before any route:
 * reads of ImagingStudy go to this slice's controller; the rest goes on as it was.
 */
@Injectable()
export class ImagingFhirReadRouting implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    if (req.method === 'GET' && /^\/fhir\/ImagingStudy(\/|\?|$)/.test(req.url)) {
      req.url = `/imaging-fhir${req.url.slice('/fhir'.length)}`;
    }
    next();
  }
}
