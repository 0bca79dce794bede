import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './env';

/** A member institution's credentials at the front door. HTTP callers present an API key
 * (stored here only as its sha256); MLLP senders connect to their own port. */
export interface InstitutionCredential {
  readonly code: string;
  readonly name: string;
  readonly apiKeySha256: string;
  readonly mllpPort?: number;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export class InstitutionDirectory {
  private readonly byHash = new Map<string, InstitutionCredential>();
  private readonly byPort = new Map<number, InstitutionCredential>();

  constructor(readonly institutions: readonly InstitutionCredential[]) {
    for (const i of institutions) {
      if (!/^[A-Za-z0-9]{2,32}$/.test(i.code))
        throw new ConfigError(`institution code ${JSON.stringify(i.code)} must be 2-32 letters/digits`);
      if (!/^[0-9a-f]{64}$/.test(i.apiKeySha256))
        throw new ConfigError(`institution ${i.code}: apiKeySha256 must be 64 hex chars`);
      this.byHash.set(i.apiKeySha256, i);
      if (i.mllpPort !== undefined) {
        if (this.byPort.has(i.mllpPort))
          throw new ConfigError(`MLLP port ${i.mllpPort} is given to two institutions`);
        this.byPort.set(i.mllpPort, i);
      }
    }
  }

  /** The institution an API key belongs to, compared in constant time. */
  byApiKey(apiKey: string | undefined): InstitutionCredential | undefined {
    if (!apiKey) return undefined;
    const h = hashApiKey(apiKey);
    const found = this.byHash.get(h);
    if (!found) return undefined;
    return timingSafeEqual(Buffer.from(found.apiKeySha256, 'hex'), Buffer.from(h, 'hex')) ? found : undefined;
  }

  byMllpPort(port: number): InstitutionCredential | undefined {
    return this.byPort.get(port);
  }

  static fromFile(path: string): InstitutionDirectory {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read institutions file ${path}: ${(e as Error).message}`);
    }
    const list = (parsed as { institutions?: unknown }).institutions;
    if (!Array.isArray(list)) throw new ConfigError(`${path}: expected {"institutions": [...]}`);
    return new InstitutionDirectory(list as InstitutionCredential[]);
  }
}
