/**
 * A small runtime schema for event data: each check returns the problems it finds, each named
 * by its path (`data.reason.text: ...`), so a consumer can say exactly what is wrong. Unknown
 * keys are tolerated (a tolerant reader). Used by the referral and alliance contracts; a
 * candidate to move to `contracts/src/schema.ts` when another context needs it.
 */

/** Returns the problems found at `path`; empty when the value fits. */
export type DataCheck = (value: unknown, path: string) => string[];

/** FHIR `id`: what referral and alliance ids must look like (they become resource ids). */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
/** An institution code as the credential carries it (组织机构代码, 统一社会信用代码, local code). */
export const INSTITUTION_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const fail = (path: string, message: string): string[] => [`${path}: ${message}`];

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(options: { min?: number; max?: number; pattern?: RegExp } = {}): DataCheck {
  const { min = 1, max = 10_000, pattern } = options;
  return (value, path) => {
    if (typeof value !== 'string') return fail(path, 'expected a string');
    if (value.length < min) return fail(path, min === 1 ? 'must not be empty' : `at least ${min} characters`);
    if (value.length > max) return fail(path, `at most ${max} characters (got ${value.length})`);
    if (pattern && !pattern.test(value)) return fail(path, `does not match ${pattern.source}`);
    return [];
  };
}

export const id: DataCheck = text({ max: 64, pattern: ID_PATTERN });
export const institutionCode: DataCheck = text({ max: 64, pattern: INSTITUTION_CODE_PATTERN });

/** True for an ISO 8601 date-time with a time zone that parses to a real moment. */
export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
}

export const instant: DataCheck = (value, path) =>
  isInstant(value) ? [] : fail(path, 'expected an ISO 8601 date-time with a time zone');

export const bool: DataCheck = (value, path) =>
  typeof value === 'boolean' ? [] : fail(path, 'expected a boolean');

export function integer(min: number, max: number): DataCheck {
  return (value, path) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? []
      : fail(path, `expected an integer from ${min} to ${max}`);
}

export function oneOf(values: readonly string[]): DataCheck {
  return (value, path) =>
    typeof value === 'string' && values.includes(value)
      ? []
      : fail(path, `expected one of ${values.join(', ')}`);
}

export function optional(check: DataCheck): DataCheck {
  return (value, path) => (value === undefined ? [] : check(value, path));
}

export function arrayOf(check: DataCheck, options: { min?: number; max?: number } = {}): DataCheck {
  const { min = 0, max = 1_000 } = options;
  return (value, path) => {
    if (!Array.isArray(value)) return fail(path, 'expected an array');
    if (value.length < min || value.length > max) return fail(path, `expected ${min} to ${max} items`);
    return value.flatMap((item, i) => check(item, `${path}[${i}]`));
  };
}

/** An object with a check for every key of `T` (the compiler makes sure none is forgotten). */
export function object<T>(shape: { readonly [K in keyof T]-?: DataCheck }): DataCheck {
  return (value, path) => {
    if (!isObject(value)) return fail(path, 'expected an object');
    return Object.entries<DataCheck>(shape).flatMap(([key, check]) => check(value[key], `${path}.${key}`));
  };
}

/** A FHIR resource of the given type; its content is the sender's and is not checked here. */
export function resource(resourceType: string): DataCheck {
  return (value, path) =>
    isObject(value) && value['resourceType'] === resourceType ? [] : fail(path, `expected a ${resourceType}`);
}

/** A type guard from a check, for `isXxxV1(x)`. */
export function guard<T>(check: DataCheck): (value: unknown) => value is T {
  return (value): value is T => check(value, 'data').length === 0;
}
