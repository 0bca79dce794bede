import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import {
  type JwkPublicKey,
  type ReadClientCredential,
  type ReadRole,
  DEFAULT_SCOPES,
  scopesGrant,
} from '@yilian/config';
import { apiKeyOf, FhirHttpError } from '@yilian/runtime';
import { AccessTokens } from './smart/access-tokens';

/** An authenticated client of the read side, as every controller and the access audit see it. */
export interface ReadClient {
  readonly name: string;
  readonly role: ReadRole;
  readonly institution?: string;
  readonly scopes: readonly string[];
}

/** Clients of the read side (the regional platform, institutions, auditors, the console), each
 * with an API key kept only as its sha256, a role and SMART-style scopes (docs/access.md). A
 * client with a registered JWK Set may instead present an access token from `POST /auth/token`
 * (SMART Backend Services), which carries the scopes granted to it. */
export class PlatformAuth {
  private readonly clients: { client: ReadClient; hash: Buffer; jwks?: { keys: readonly JwkPublicKey[] } }[];
  readonly tokens: AccessTokens;

  constructor(credentials: readonly ReadClientCredential[], tokens = new AccessTokens()) {
    this.tokens = tokens;
    this.clients = credentials.map((c) => ({
      // no API key (a client with keys only): a hash no key's sha256 meets
      hash: c.apiKeySha256 ? Buffer.from(c.apiKeySha256, 'hex') : randomBytes(32),
      ...(c.jwks ? { jwks: c.jwks } : {}),
      client: {
        name: c.name,
        role: c.role,
        ...(c.institution ? { institution: c.institution } : {}),
        scopes: c.scopes ?? DEFAULT_SCOPES[c.role],
      },
    }));
  }

  /** The client registered under `name` with a JWK Set (SMART Backend Services), if any. */
  backendClient(name: string): { client: ReadClient; jwks: { keys: readonly JwkPublicKey[] } } | undefined {
    const found = this.clients.find((c) => c.client.name === name && c.jwks);
    return found?.jwks && { client: found.client, jwks: found.jwks };
  }

  /** The client's name (recorded as the actor of every read), or 401. */
  authenticate(req: Request): string {
    return this.client(req).name;
  }

  /** The client's name, or undefined when the key is not one of these clients'. */
  tryAuthenticate(req: Request): string | undefined {
    return this.tryClient(req)?.name;
  }

  tryClient(req: Request): ReadClient | undefined {
    const found = this.resolve(req);
    return found && 'refused' in found ? undefined : found;
  }

  private resolve(req: Request): ReadClient | { refused: string } | undefined {
    const key = apiKeyOf(req);
    if (!key) return undefined;
    if (AccessTokens.looksLikeToken(key)) {
      const grant = this.tokens.verify(key);
      if ('refused' in grant) return grant;
      const client = this.backendClient(grant.client)?.client;
      if (!client) return { refused: `client ${grant.client} is no longer registered` };
      return { ...client, scopes: grant.scopes };
    }
    const h = createHash('sha256').update(key, 'utf8').digest();
    return this.clients.find((c) => timingSafeEqual(c.hash, h))?.client;
  }

  /** The client behind the request's API key or access token, or 401. */
  client(req: Request): ReadClient {
    const found = this.resolve(req);
    if (found && !('refused' in found)) return found;
    throw FhirHttpError.of(
      401,
      'security',
      found?.refused ??
        'missing or unknown API key (Authorization: Bearer <key> or X-API-Key), or access token (POST /auth/token)',
    );
  }

  /** The client, when its scopes let it read `resourceType`: else 401 (no client) or 403. */
  authorize(req: Request, resourceType: string): ReadClient {
    const client = this.client(req);
    if (!scopesGrant(client.scopes, resourceType)) {
      throw FhirHttpError.of(
        403,
        'forbidden',
        `client ${client.name} (${client.role}) has no scope system/${resourceType}.read`,
      );
    }
    return client;
  }
}
