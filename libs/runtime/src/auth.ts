import type { Request } from 'express';
import type { InstitutionCredential, InstitutionDirectory } from '@yilian/config';
import { FhirHttpError } from './http-errors';

/** The API key from `Authorization: Bearer <key>` or `X-API-Key`. */
export function apiKeyOf(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-api-key'];
  return Array.isArray(header) ? header[0] : header;
}

/** The sending institution, taken from the credential — never from the message body. */
export function authenticateInstitution(
  req: Request,
  directory: InstitutionDirectory,
): InstitutionCredential {
  const found = directory.byApiKey(apiKeyOf(req));
  if (!found) {
    throw FhirHttpError.of(
      401,
      'security',
      'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)',
    );
  }
  return found;
}

/** A request header fit to be kept in an event and a log (a correlation id, an idempotency
 * key): one value of at most 100 letters, digits and `-_.:`; undefined otherwise. */
export function tokenHeader(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && /^[A-Za-z0-9\-_.:]{1,100}$/.test(s) ? s : undefined;
}
