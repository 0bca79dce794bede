import type { Request, Response } from 'express';

/** One value of a request header (the first, when repeated). */
export function headerValue(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The FHIR base URL as the caller reached it, for fullUrl and paging links. */
export function fhirBaseUrl(req: Request): string {
  return `${requestOrigin(req)}/fhir`;
}

/** Where a request came in (scheme and host): what a client addressed — links it is given, the
 * `aud` of what it signs. */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** A FHIR resource as `application/fhir+json`. */
export function sendFhir(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/fhir+json').send(JSON.stringify(body));
}

/** The resource type a `/fhir/<Type>/…` request names (routes list their types explicitly, so
 * each slice serves its own types without one catch-all `/:type` route shadowing another). */
export function resourceTypeOf(req: Request): string {
  return req.path.split('/')[2] ?? '';
}
