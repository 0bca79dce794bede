import { scopesGrant } from '@yilian/config';
import type { PlatformAuth } from '../platform-auth';
import { ACCESS_TOKEN_SECONDS } from './access-tokens';
import { addressedAs, ClientJwtRefusal, ClientJwtVerifier } from './client-jwt';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

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

const REQUESTED_SCOPE = /^system\/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*|[cruds]+)$/;

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
  constructor(
    private readonly auth: PlatformAuth,
    private readonly jwts: ClientJwtVerifier,
  ) {}

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

    let verified: Awaited<ReturnType<ClientJwtVerifier['verify']>>;
    try {
      const { payload } = ClientJwtVerifier.claimsOf(assertion);
      if (typeof payload.iss !== 'string') throw new ClientJwtRefusal('it has no iss');
      const clientId = field('client_id') ?? payload.iss;
      if (clientId !== payload.iss || payload.sub !== payload.iss)
        throw new ClientJwtRefusal('its iss and sub must both be the client_id');
      verified = await this.jwts.verify(assertion, {
        clientId,
        issuer: clientId,
        audiences: addressedAs(tokenUrl),
        now,
      });
    } catch (e) {
      if (!(e instanceof ClientJwtRefusal)) throw e;
      throw new TokenError('invalid_client', `the client assertion is refused: ${e.message}`);
    }
    const { client } = verified;
    const granted = grantedScopes(client.scopes, scope);
    if (granted.length === 0)
      throw new TokenError(
        'invalid_scope',
        `none of the scopes asked for (${scope.slice(0, 200)}) is granted to ${client.name}: it may read ${client.scopes.join(' ')}`,
      );
    const { token } = this.auth.tokens.issue(client.name, granted, now);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      scope: granted.join(' '),
    };
  }
}
