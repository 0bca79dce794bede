import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isReferralBundle } from '@yilian/referrals';

/**
 * /fhir belongs to every FHIR slice, and the results slice registers `POST /fhir` (its
 * transaction Bundles) and `POST /fhir/:type` before this one's routes exist. Middleware runs
 * before any route: it forwards what is a referral's to this slice's controller —
 * a transaction Bundle that carries a ServiceRequest or a Task, POST /fhir/ServiceRequest and
 * PUT /fhir/Task/{id} — and leaves everything else where it was going.
 */
@Injectable()
export class ReferralFhirRouting implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const [path = '', query] = req.url.split(/\?(.*)/s, 2);
    const rest = query ? `?${query}` : '';
    if (req.method === 'POST' && /^\/fhir\/?$/.test(path) && isReferralBundle(req.body)) {
      req.url = `/referral-fhir/transaction${rest}`;
    } else if (req.method === 'POST' && /^\/fhir\/ServiceRequest\/?$/.test(path)) {
      req.url = `/referral-fhir/ServiceRequest${rest}`;
    } else if (req.method === 'PUT' && /^\/fhir\/Task\/[^/]+$/.test(path)) {
      req.url = `/referral-fhir${path.slice('/fhir'.length)}${rest}`;
    }
    next();
  }
}
