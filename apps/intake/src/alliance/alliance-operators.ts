import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ConfigError } from '@yilian/config';
import { apiKeyOf } from '@yilian/runtime';
import { JsonHttpError } from '../referrals/json-errors';

export const ALLIANCE_OPERATORS = Symbol('ALLIANCE_OPERATORS');
export const ALLIANCE_OPERATORS_ENV = 'YILIAN_ALLIANCE_OPERATORS';

/**
 * Who may register alliances and their members: the hub's operators (the health commission or
 * the group's information centre), each with an API key kept only as its sha256. Configured as
 * `YILIAN_ALLIANCE_OPERATORS=name:sha256hex[,name2:sha256hex]`; unset, nobody may, and the
 * administration endpoints answer 403 saying so. A member institution's key is never enough.
 */
export class AllianceOperators {
  private constructor(private readonly operators: readonly { name: string; hash: Buffer }[]) {}

  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): AllianceOperators {
    const spec = env[ALLIANCE_OPERATORS_ENV]?.trim() ?? '';
    const operators = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [name, hash] = entry.split(':');
        if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) || !hash || !/^[0-9a-f]{64}$/.test(hash))
          throw new ConfigError(`${ALLIANCE_OPERATORS_ENV}: each entry must be name:sha256hex`);
        return { name, hash: Buffer.from(hash, 'hex') };
      });
    return new AllianceOperators(operators);
  }

  /** The operator's name (recorded as the source of the events it causes), or 401 / 403. */
  authenticate(req: Request): string {
    if (this.operators.length === 0)
      throw new JsonHttpError(403, `no alliance operator is configured (${ALLIANCE_OPERATORS_ENV})`);
    const key = apiKeyOf(req);
    if (key) {
      const h = createHash('sha256').update(key, 'utf8').digest();
      const found = this.operators.find((o) => timingSafeEqual(o.hash, h));
      if (found) return found.name;
    }
    throw new JsonHttpError(401, 'missing or unknown operator API key (Authorization: Bearer <key>)');
  }
}
