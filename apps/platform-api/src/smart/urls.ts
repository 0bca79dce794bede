import type { Request } from 'express';

export const TOKEN_PATH = '/auth/token';

/** Where a request came in: what a client addressed (`aud`) and finds in the discovery document. */
export function publicBase(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
