import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import type { PlatformAuth, ReadClient } from '../platform-auth';

/** The algorithms a client's JWT may be signed with: SMART Backend Services and CDS Hooks 2.0
 * require ES384 and RS384 of a server; ES256 and RS256 are taken too. */
export const CLIENT_JWT_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'] as const;
/** How far in the future a client's JWT may expire (both specs: no more than five minutes). */
const MAX_LIFETIME_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

/** Why a client's JWT is refused, in words for the caller. */
export class ClientJwtRefusal extends Error {}

/**
 * A JWT a registered client signed with one of the keys of its JWK Set (PLATFORM_CLIENTS
 * `jwks`): a SMART Backend Services client assertion (the client named by `iss` = `sub`) or a
 * CDS Hooks client's bearer token (named by `sub`, "the client_id of the CDS Client"). Checks the
 * signature, `aud` (one of `audiences`), `exp` (at most five minutes ahead), `jti` (once per
 * process, remembered until it expires) and the `required` claims.
 */
export class ClientJwtVerifier {
  /** client + jti → when it may be forgotten. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly auth: PlatformAuth) {}

  /** Only the unverified claims, to know which client to verify against. */
  static claimsOf(jwt: string): { payload: JWTPayload; alg?: string } {
    try {
      return { payload: decodeJwt(jwt), alg: decodeProtectedHeader(jwt).alg };
    } catch {
      throw new ClientJwtRefusal('not a JWT (header.payload.signature)');
    }
  }

  static looksLikeJwt(bearer: string): boolean {
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(bearer);
  }

  async verify(
    jwt: string,
    o: {
      clientId: string;
      audiences: readonly string[];
      issuer?: string;
      required?: readonly string[];
      now?: number;
    },
  ): Promise<{ client: ReadClient; payload: JWTPayload }> {
    const { alg } = ClientJwtVerifier.claimsOf(jwt);
    const registered = this.auth.backendClient(o.clientId);
    if (!registered) throw new ClientJwtRefusal(`no client ${o.clientId} with a registered JWK Set`);
    if (!alg || !(CLIENT_JWT_ALGORITHMS as readonly string[]).includes(alg))
      throw new ClientJwtRefusal(`alg ${String(alg)} is not accepted: ${CLIENT_JWT_ALGORITHMS.join(', ')}`);
    const now = o.now ?? Date.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, createLocalJWKSet(registered.jwks as unknown as JSONWebKeySet), {
        ...(o.issuer ? { issuer: o.issuer } : {}),
        subject: o.clientId,
        audience: [...new Set(o.audiences)],
        algorithms: [...CLIENT_JWT_ALGORITHMS],
        requiredClaims: ['exp', 'jti', ...(o.required ?? [])],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
      }));
    } catch (e) {
      throw new ClientJwtRefusal(problemOf(e, o.audiences[0] ?? ''));
    }
    const nowSeconds = Math.floor(now / 1000);
    if (payload.exp! > nowSeconds + MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS)
      throw new ClientJwtRefusal('its exp is more than five minutes ahead');
    const jti = `${o.clientId} ${String(payload.jti)}`;
    if (this.seen.size >= 1_000)
      for (const [k, until] of this.seen) if (until < nowSeconds) this.seen.delete(k);
    if (this.seen.has(jti)) throw new ClientJwtRefusal('this JWT (its jti) was already used: sign a new one');
    this.seen.set(jti, payload.exp! + CLOCK_TOLERANCE_SECONDS);
    return { client: registered.client, payload };
  }
}

/** The URL a request addressed, in both schemes (a proxy may end TLS before the hub). */
export function addressedAs(url: string): string[] {
  return [...new Set([url, url.replace(/^http:/, 'https:'), url.replace(/^https:/, 'http:')])];
}

function problemOf(e: unknown, audience: string): string {
  if (e instanceof joseErrors.JWTExpired) return 'it has expired (exp)';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return `aud must be ${audience}`;
    return `claim ${e.claim}: ${e.reason}`;
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey)
    return 'no key of the registered JWK Set matches its kid / alg';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  return (e as Error).message.slice(0, 200);
}
