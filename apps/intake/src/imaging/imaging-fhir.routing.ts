import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A DiagnosticReport that names an imaging study. */
function namesStudy(r: Record<string, unknown>): boolean {
  return r.resourceType === 'DiagnosticReport' && Array.isArray(r.imagingStudy) && r.imagingStudy.length > 0;
}

/** A Bundle with an ImagingStudy entry or a DiagnosticReport entry that names a study. */
export function isImagingBundle(body: unknown): boolean {
  if (!isObject(body) || body.resourceType !== 'Bundle' || !Array.isArray(body.entry)) return false;
  return body.entry.some(
    (e) =>
      isObject(e) &&
      isObject(e.resource) &&
      (e.resource.resourceType === 'ImagingStudy' || namesStudy(e.resource)),
  );
}

/**
 * `POST /fhir` and `POST /fhir/DiagnosticReport` belong to the lab slice, which registers them
 * first. Middleware runs before any route: what is imaging — a transaction Bundle with an
 * ImagingStudy or a DiagnosticReport with `imagingStudy`, `POST /fhir/ImagingStudy`, a
 * DiagnosticReport with `imagingStudy` — goes to this slice's controller; everything else,
 * lab reports included, goes on unchanged.
 */
@Injectable()
export class ImagingFhirRouting implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const [path = '', query] = req.url.split(/\?(.*)/s, 2);
    const rest = query ? `?${query}` : '';
    const body: unknown = req.body;
    if (req.method === 'POST' && /^\/fhir\/?$/.test(path) && isImagingBundle(body)) {
      req.url = `/imaging-fhir/transaction${rest}`;
    } else if (req.method === 'POST' && /^\/fhir\/ImagingStudy\/?$/.test(path)) {
      req.url = `/imaging-fhir/ImagingStudy${rest}`;
    } else if (
      req.method === 'POST' &&
      /^\/fhir\/DiagnosticReport\/?$/.test(path) &&
      isObject(body) &&
      namesStudy(body)
    ) {
      req.url = `/imaging-fhir/DiagnosticReport${rest}`;
    }
    next();
  }
}
