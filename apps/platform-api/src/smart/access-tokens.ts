import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an access token stands for: the client it was issued to and the scopes granted. */
export interface AccessGrant {
  readonly client: string;
  readonly scopes: readonly string[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

const PREFIX = 'yat1.';
export const ACCESS_TOKEN_SECONDS = 300;

/**
 * Short-lived bearer tokens issued at `POST /auth/token` (SMART Backend Services): the grant
 * as base64url JSON and an HMAC-SHA256 of it under the read side's token secret, so any
 * platform-api process sharing the secret (`PLATFORM_TOKEN_SECRET`) accepts them and nothing is
 * stored. Without a configured secret each process draws its own: tokens then hold only at the
 * process that issued them (the embedded hub is one process).
 */
export class AccessTokens {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  static looksLikeToken(bearer: string): boolean {
    return bearer.startsWith(PREFIX);
  }

  issue(client: string, scopes: readonly string[], now = Date.now()): { token: string; grant: AccessGrant } {
    const grant: AccessGrant = { client, scopes, expiresAt: Math.floor(now / 1000) + ACCESS_TOKEN_SECONDS };
    const body = Buffer.from(
      JSON.stringify({ c: client, s: scopes, e: grant.expiresAt, n: randomBytes(9).toString('base64url') }),
    ).toString('base64url');
    return { token: `${PREFIX}${body}.${this.mac(body)}`, grant };
  }

  /** The grant, or why the token is refused. */
  verify(token: string, now = Date.now()): AccessGrant | { refused: string } {
    if (!token.startsWith(PREFIX)) return { refused: 'not an access token of this hub' };
    const [body = '', mac = ''] = token.slice(PREFIX.length).split('.');
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { refused: 'the access token is not one this hub issued (or it was altered)' };
    let parsed: { c?: unknown; s?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      return { refused: 'the access token is malformed' };
    }
    if (typeof parsed.c !== 'string' || !Array.isArray(parsed.s) || typeof parsed.e !== 'number')
      return { refused: 'the access token is malformed' };
    if (parsed.e <= Math.floor(now / 1000))
      return { refused: 'the access token has expired: request a new one at POST /auth/token' };
    return { client: parsed.c, scopes: parsed.s.map(String), expiresAt: parsed.e };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
