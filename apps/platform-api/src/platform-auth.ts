import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ConfigError } from '@yilian/config';
import { apiKeyOf, FhirHttpError } from '@yilian/runtime';

/** Clients of the read side (the regional platform, auditors, the console), each with an API
 * key kept only as its sha256. Configured as `name:sha256hex,name2:sha256hex`. */
export class PlatformAuth {
  private readonly clients: { name: string; hash: Buffer }[];

  constructor(spec: string) {
    this.clients = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [name, hash] = entry.split(':');
        if (!name || !hash || !/^[0-9a-f]{64}$/.test(hash)) {
          throw new ConfigError(`PLATFORM_CLIENTS entry "${entry.slice(0, 20)}…" must be name:sha256hex`);
        }
        return { name, hash: Buffer.from(hash, 'hex') };
      });
    if (this.clients.length === 0) throw new ConfigError('PLATFORM_CLIENTS must name at least one client');
  }

  /** The client's name (recorded as the actor of every read), or 401. */
  authenticate(req: Request): string {
    const found = this.tryAuthenticate(req);
    if (found) return found;
    throw FhirHttpError.of(
      401,
      'security',
      'missing or unknown API key (Authorization: Bearer <key> or X-API-Key)',
    );
  }

  /** The client's name, or undefined when the key is not one of these clients'. */
  tryAuthenticate(req: Request): string | undefined {
    const key = apiKeyOf(req);
    if (!key) return undefined;
    const h = createHash('sha256').update(key, 'utf8').digest();
    return this.clients.find((c) => timingSafeEqual(c.hash, h))?.name;
  }
}
