/** Typed configuration read from the environment, checked at start-up: a missing or wrong value
 * stops the process with a message that names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function requireString(env: Env, name: string, fallback?: string): string {
  const v = env[name]?.trim();
  if (v) return v;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${name} is required but not set`);
}

export function optionalString(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function requireInt(
  env: Env,
  name: string,
  fallback?: number,
  range: [number, number] = [0, 2 ** 31],
): number {
  const raw = env[name]?.trim();
  if (!raw) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${name} is required but not set`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
    throw new ConfigError(
      `${name} must be an integer between ${range[0]} and ${range[1]}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

export function requireList(env: Env, name: string, fallback?: string[]): string[] {
  const raw = env[name]?.trim();
  if (!raw) {
    if (fallback) return fallback;
    throw new ConfigError(`${name} is required but not set (comma-separated list)`);
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The secret that keys patient-key hashes: at least 32 bytes, never logged. */
export function requireSecret(env: Env, name: string, fallback?: string): string {
  const v = requireString(env, name, fallback);
  if (Buffer.byteLength(v, 'utf8') < 32) throw new ConfigError(`${name} must be at least 32 bytes long`);
  return v;
}
