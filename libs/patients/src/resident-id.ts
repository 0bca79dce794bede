/**
 * Resident ID number (居民身份证号), GB 11643-1999 "Citizen identification number":
 * 6-digit address code + 8-digit birth date (YYYYMMDD) + 3-digit sequence (odd = male)
 * + check character, ISO 7064 MOD 11-2.
 *
 * Messages never repeat the number itself: it is sensitive personal information (PIPL Art. 28)
 * and a reason may end up in a log or an ACK.
 */

/** Weight of each of the 17 leading digits (2^(18-i) mod 11, i = 1..17). */
export const RESIDENT_ID_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Check character for weighted sum mod 11 = index. */
export const RESIDENT_ID_CHECK_CHARACTERS = '10X98765432';

export type Gender = 'male' | 'female';

export type ResidentIdCheck =
  | {
      readonly ok: true;
      /** The 18 characters, check character `X` upper-case. */
      readonly value: string;
      /** ISO 8601 date, from positions 7–14. */
      readonly birthDate: string;
      /** From the 17th digit: odd = male, even = female. */
      readonly gender: Gender;
    }
  | { readonly ok: false; readonly reason: string };

const SEVENTEEN_DIGITS = /^\d{17}$/;

/** The check character for a 17-digit prefix. Throws when the prefix is not 17 digits. */
export function residentIdCheckCharacter(first17: string): string {
  if (!SEVENTEEN_DIGITS.test(first17)) throw new RangeError('a resident ID prefix is exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * RESIDENT_ID_WEIGHTS[i]!;
  return RESIDENT_ID_CHECK_CHARACTERS[sum % 11]!;
}

/** Oldest birth year accepted: anyone alive today was born after it. */
const MIN_BIRTH_YEAR = 1850;

function birthDateOf(yyyymmdd: string): string | undefined {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < MIN_BIRTH_YEAR || month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/**
 * Checks a resident ID number and reads the birth date and gender it encodes. Surrounding
 * white space is ignored and a lower-case `x` is accepted (and returned upper-case). The
 * first-generation 15-digit numbers are not accepted: senders convert them first.
 */
export function parseResidentId(input: string): ResidentIdCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'a resident ID number is a string' };
  const value = input.trim().toUpperCase();
  if (value.length !== 18) {
    return { ok: false, reason: `a resident ID number has 18 characters, this one has ${value.length}` };
  }
  const first17 = value.slice(0, 17);
  const nonDigit = /\D/.exec(first17);
  if (nonDigit) {
    return {
      ok: false,
      reason: `character ${nonDigit.index + 1} is not a digit: the first 17 characters are digits`,
    };
  }
  const given = value[17]!;
  if (!/[0-9X]/.test(given)) {
    return { ok: false, reason: 'the check character (18th) must be a digit or X' };
  }
  const birthDate = birthDateOf(value.slice(6, 14));
  if (!birthDate) {
    return { ok: false, reason: 'characters 7–14 are not a valid birth date (YYYYMMDD)' };
  }
  const expected = residentIdCheckCharacter(first17);
  if (given !== expected) {
    return { ok: false, reason: `check character expected ${expected} got ${given}` };
  }
  const gender: Gender = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value, birthDate, gender };
}

export function isValidResidentId(input: string): boolean {
  return parseResidentId(input).ok;
}

/** Thrown where a valid number is required; the message is the reason, never the number. */
export class InvalidResidentIdError extends Error {
  constructor(readonly reason: string) {
    super(`invalid resident ID number: ${reason}`);
    this.name = 'InvalidResidentIdError';
  }
}

/** The normalised number, or throws InvalidResidentIdError. */
export function requireResidentId(input: string): string {
  const check = parseResidentId(input);
  if (!check.ok) throw new InvalidResidentIdError(check.reason);
  return check.value;
}
