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
