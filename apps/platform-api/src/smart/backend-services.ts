import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { scopesGrant } from '@yilian/config';
import type { PlatformAuth } from '../platform-auth';
import { ACCESS_TOKEN_SECONDS } from './access-tokens';

/** The algorithms a client assertion may be signed with: SMART Backend Services requires RS384
 * and ES384 of a server; RS256 and ES256 are taken too. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'] as const;
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How far in the future an assertion's `exp` may be (SMART: no more than five minutes). */
const MAX_ASSERTION_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;

/** An OAuth 2.0 error response (RFC 6749 §5.2). */
export class TokenError extends Error {
  constructor(
    readonly error:
      'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly scope: string;
}

const REQUESTED_SCOPE = /^system\/(\*|[A-Z][A-Za-z]{1,63})\.(read|rs|\*|cruds|[cruds]+|write)$/;

/** The requested scopes this client is allowed: a read scope (`read`, SMART v2 `rs`) for a type
 * its own scopes grant; write and other scopes are not granted (the read side only reads). */
export function grantedScopes(allowed: readonly string[], requested: string): string[] {
  const granted: string[] = [];
  for (const s of requested.split(/\s+/).filter(Boolean)) {
    const m = REQUESTED_SCOPE.exec(s);
    if (!m || !['read', 'rs'].includes(m[2]!)) continue;
    const type = m[1]!;
    const ok = type === '*' ? allowed.some((a) => a.startsWith('system/*.')) : scopesGrant(allowed, type);
    if (ok && !granted.includes(s)) granted.push(s);
  }
  return granted;
}

/**
 * SMART Backend Services' token endpoint (client_credentials with a `private_key_jwt` client
 * assertion): the assertion's `iss` and `sub` are the client's id (its name in
 * PLATFORM_CLIENTS), `aud` this endpoint's URL, `exp` at most five minutes ahead, `jti` used
 * once; its signature checked against the client's registered JWK Set.
 */
export class BackendServicesTokens {
  /** jti → when it may be forgotten (its assertion's exp), per process. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly auth: PlatformAuth) {}

  async token(form: Record<string, unknown>, tokenUrl: string, now = Date.now()): Promise<TokenResponse> {
    const field = (name: string) => {
      const v = form[name];
      return typeof v === 'string' ? v : undefined;
    };
    const grantType = field('grant_type');
    if (!grantType) throw new TokenError('invalid_request', 'grant_type is missing');
    if (grantType !== 'client_credentials')
      throw new TokenError(
        'unsupported_grant_type',
        `grant_type ${grantType} is not supported: client_credentials only`,
      );
    if (field('client_assertion_type') !== JWT_BEARER)
      throw new TokenError('invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
    const assertion = field('client_assertion');
    if (!assertion) throw new TokenError('invalid_request', 'client_assertion is missing');
    const scope = field('scope');
    if (!scope) throw new TokenError('invalid_request', 'scope is missing (e.g. system/*.read)');

    let claimed: { iss?: unknown; sub?: unknown };
    let alg: string | undefined;
    try {
      claimed = decodeJwt(assertion);
      alg = decodeProtectedHeader(assertion).alg;
    } catch {
      throw new TokenError('invalid_client', 'client_assertion is not a JWT (header.payload.signature)');
    }
    if (typeof claimed.iss !== 'string') throw new TokenError('invalid_client', 'the assertion has no iss');
    const clientId = field('client_id') ?? claimed.iss;
    if (clientId !== claimed.iss || claimed.sub !== claimed.iss)
      throw new TokenError('invalid_client', "the assertion's iss and sub must both be the client_id");
    const registered = this.auth.backendClient(clientId);
    if (!registered)
      throw new TokenError('invalid_client', `no client ${clientId} with a registered JWK Set`);
    if (!alg || !(ASSERTION_ALGORITHMS as readonly string[]).includes(alg))
      throw new TokenError(
        'invalid_client',
        `alg ${String(alg)} is not accepted: ${ASSERTION_ALGORITHMS.join(', ')}`,
      );

    const audiences = [tokenUrl, tokenUrl.replace(/^http:/, 'https:'), tokenUrl.replace(/^https:/, 'http:')];
    let payload: { exp?: number; jti?: unknown };
    try {
      ({ payload } = await jwtVerify(
        assertion,
        createLocalJWKSet(registered.jwks as unknown as JSONWebKeySet),
        {
          issuer: clientId,
          subject: clientId,
          audience: [...new Set(audiences)],
          algorithms: [...ASSERTION_ALGORITHMS],
          requiredClaims: ['exp', 'jti'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(now),
        },
      ));
    } catch (e) {
      throw new TokenError(
        'invalid_client',
        `the client assertion is refused: ${assertionProblem(e, tokenUrl)}`,
      );
    }
    const nowSeconds = Math.floor(now / 1000);
    if (payload.exp! > nowSeconds + MAX_ASSERTION_SECONDS + CLOCK_TOLERANCE_SECONDS)
      throw new TokenError('invalid_client', "the assertion's exp is more than five minutes ahead");
    const jti = `${clientId} ${String(payload.jti)}`;
    this.forgetBefore(nowSeconds);
    if (this.seen.has(jti))
      throw new TokenError('invalid_client', 'this assertion (its jti) was already used: sign a new one');
    this.seen.set(jti, payload.exp! + CLOCK_TOLERANCE_SECONDS);

    const granted = grantedScopes(registered.client.scopes, scope);
    if (granted.length === 0)
      throw new TokenError(
        'invalid_scope',
        `none of the scopes asked for (${scope.slice(0, 200)}) is granted to ${clientId}: it may read ${registered.client.scopes.join(' ')}`,
      );
    const { token } = this.auth.tokens.issue(clientId, granted, now);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      scope: granted.join(' '),
    };
  }

  private forgetBefore(nowSeconds: number): void {
    if (this.seen.size < 1_000) return;
    for (const [jti, until] of this.seen) if (until < nowSeconds) this.seen.delete(jti);
  }
}

function assertionProblem(e: unknown, tokenUrl: string): string {
  if (e instanceof joseErrors.JWTExpired) return 'it has expired (exp)';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return `aud must be this token endpoint, ${tokenUrl}`;
    return `claim ${e.claim}: ${e.reason}`;
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey)
    return 'no key of the registered JWK Set matches its kid / alg';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  return (e as Error).message.slice(0, 200);
}
