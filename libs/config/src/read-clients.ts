import { ConfigError } from './env';

/** Who a client of the read side is: the regional platform sees every patient, an institution
 * the patients it has a part in (docs/access.md), an auditor everything plus the audit trail. */
export type ReadRole = 'platform' | 'institution' | 'auditor';

/** A client of the read side (platform-api), with SMART-style system scopes. */
export interface ReadClientCredential {
  readonly name: string;
  /** The sha256 (hex) of its API key; a client with a `jwks` may have none (keys only). */
  readonly apiKeySha256?: string;
  readonly role: ReadRole;
  /** The institution code an `institution` client acts for. */
  readonly institution?: string;
  /** `system/<Type>.read` (or `system/*.read`); the role's defaults when absent. */
  readonly scopes?: readonly string[];
  /** The client's public keys (a JWK Set): with them it may also sign in the SMART Backend
   * Services way — a signed JWT assertion (RS384/ES384) for a short-lived access token at
   * `POST /auth/token`, its client_id being `name` (docs/access.md). */
  readonly jwks?: { readonly keys: readonly JwkPublicKey[] };
}

/** A public JSON Web Key as a JWK Set holds it (RFC 7517). */
export interface JwkPublicKey {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly [member: string]: unknown;
}

/** `system/*.read` covers every resource type except AuditEvent, which is granted by name only:
 * seeing who read what is the auditors' alone. */
export const DEFAULT_SCOPES: Readonly<Record<ReadRole, readonly string[]>> = {
  platform: ['system/*.read'],
  institution: ['system/*.read'],
  auditor: ['system/*.read', 'system/AuditEvent.read'],
};

const SCOPE = /^system\/(\*|[A-Z][A-Za-z]{1,63})\.(read|rs|\*)$/;
const CODE = /^[A-Za-z0-9]{2,32}$/;

export function checkReadClient(c: ReadClientCredential): ReadClientCredential {
  const where = `read client ${JSON.stringify(String(c.name).slice(0, 40))}`;
  if (!c.name || !/^[A-Za-z0-9._-]{1,64}$/.test(c.name))
    throw new ConfigError(`${where}: name must be 1-64 letters, digits, . _ -`);
  if (c.apiKeySha256 === undefined ? c.jwks === undefined : !/^[0-9a-f]{64}$/.test(c.apiKeySha256))
    throw new ConfigError(
      `${where}: apiKeySha256 must be 64 hex chars (only a client with a jwks may have none)`,
    );
  if (!(c.role in DEFAULT_SCOPES))
    throw new ConfigError(`${where}: role must be platform, institution or auditor`);
  if (c.role === 'institution' && !(c.institution && CODE.test(c.institution)))
    throw new ConfigError(`${where}: an institution client needs its institution code`);
  if (c.role !== 'institution' && c.institution !== undefined)
    throw new ConfigError(`${where}: only an institution client names an institution`);
  for (const s of c.scopes ?? []) {
    if (!SCOPE.test(s))
      throw new ConfigError(`${where}: scope ${JSON.stringify(s)} is not system/<Type>.read`);
  }
  if (c.jwks !== undefined) {
    const keys = (c.jwks as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || keys.length === 0)
      throw new ConfigError(`${where}: jwks must be a JWK Set, {"keys": [ … ]} with at least one key`);
    keys.forEach((k: unknown, i) => {
      const key = k as Partial<JwkPublicKey> | null;
      if (!key || typeof key !== 'object' || !['RSA', 'EC'].includes(String(key.kty)))
        throw new ConfigError(`${where}: jwks.keys[${i}].kty must be RSA or EC`);
      if ('d' in key)
        throw new ConfigError(
          `${where}: jwks.keys[${i}] holds a private key (d): register the public key only`,
        );
    });
  }
  return c;
}

/**
 * `PLATFORM_CLIENTS`: either a JSON array of {@link ReadClientCredential}, or the short form
 * `name:sha256hex[:role[:institution]]`, comma-separated (`regional-platform:ab12…`,
 * `audit-office:cd34…:auditor`, `h001-portal:ef56…:institution:H001`). No role means platform.
 */
export function parseReadClients(spec: string): ReadClientCredential[] {
  const trimmed = spec.trim();
  let clients: ReadClientCredential[];
  if (trimmed.startsWith('[')) {
    try {
      clients = JSON.parse(trimmed) as ReadClientCredential[];
    } catch (e) {
      throw new ConfigError(`PLATFORM_CLIENTS is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(clients)) throw new ConfigError('PLATFORM_CLIENTS must be a JSON array');
  } else {
    clients = trimmed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [name = '', apiKeySha256 = '', role = 'platform', institution] = entry.split(':');
        if (!name || !/^[0-9a-f]{64}$/.test(apiKeySha256))
          throw new ConfigError(
            `PLATFORM_CLIENTS entry "${entry.slice(0, 20)}…" must be name:sha256hex[:role[:institution]]`,
          );
        return { name, apiKeySha256, role: role as ReadRole, ...(institution ? { institution } : {}) };
      });
  }
  if (clients.length === 0) throw new ConfigError('PLATFORM_CLIENTS must name at least one client');
  return clients.map(checkReadClient);
}

/** Whether the scopes grant reading `resourceType` (AuditEvent only by name). */
export function scopesGrant(scopes: readonly string[], resourceType: string): boolean {
  return scopes.some((s) => {
    const m = SCOPE.exec(s);
    if (!m) return false;
    return m[1] === resourceType || (m[1] === '*' && resourceType !== 'AuditEvent');
  });
}
