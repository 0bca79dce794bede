/**
 * The patient key: how streams, Kafka keys, read models and URLs name a patient without
 * carrying an identifier in clear (PIPL Art. 28; DOMAIN.md "Identifiers never travel in clear").
 *
 *   key = "pk_" + base32(HMAC-SHA256(secret, subject))[0..26)
 *   subject = "rid|<resident ID number>"            when the resident ID number is known
 *           | "mrn|<institution code>|<MRN>"       otherwise
 *
 * A keyed hash, not a plain one: the space of resident ID numbers is small enough (birth
 * dates × area codes × sequence) to enumerate, so an unkeyed hash would be reversible. Whoever
 * holds the secret can recompute a key from an identifier, never an identifier from a key.
 * 26 base32 characters keep 130 bits of the MAC: collisions are out of reach, and the key is
 * lower-case letters and digits only, safe in a URL path and a Kafka key.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { isInstitutionCode } from './identifier-systems';
import { requireResidentId } from './resident-id';

export const PATIENT_KEY_PREFIX = 'pk_';
export const PATIENT_KEY_LENGTH = 26;
export const MIN_PATIENT_KEY_SECRET_BYTES = 32;

/** `pk_` followed by 26 characters of the RFC 4648 base32 alphabet, lower-case. */
export const PATIENT_KEY_PATTERN = /^pk_[a-z2-7]{26}$/;

export function isPatientKey(value: string): boolean {
  return PATIENT_KEY_PATTERN.test(value);
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === chars) break;
  }
  return out;
}

/** Keys derived lately, by subject: a lab message derives its patient's key three times or
 * more (the link check, then the report), and the same patients come back all day; an HMAC
 * costs ≈10–15 µs on a busy core, a lookup well under one. Process memory only, never shown. */
const RECENT_AT_MOST = 4096;

export class PatientKeyer {
  readonly #key: KeyObject;
  readonly #recent = new Map<string, string>();

  /** `secret`: at least 32 bytes (a string counts its UTF-8 bytes), from configuration. */
  constructor(secret: string | Buffer) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (bytes.length < MIN_PATIENT_KEY_SECRET_BYTES) {
      throw new RangeError(
        `the patient key secret must be at least ${MIN_PATIENT_KEY_SECRET_BYTES} bytes long`,
      );
    }
    this.#key = createSecretKey(bytes);
    bytes.fill(0);
  }

  /** Key from a resident ID number; throws InvalidResidentIdError (without the number in its
   * message) when the number fails the GB 11643 check. A lower-case `x` gives the same key. */
  forResidentId(id: string): string {
    return this.derive(`rid|${requireResidentId(id)}`);
  }

  /** Key from an institution's medical record number (surrounding white space ignored). */
  forMrn(institution: string, mrn: string): string {
    const code = typeof institution === 'string' ? institution.trim() : '';
    if (!isInstitutionCode(code)) throw new RangeError('not an institution code');
    const number = typeof mrn === 'string' ? mrn.trim() : '';
    if (number === '') throw new RangeError('the MRN is empty');
    return this.derive(`mrn|${code}|${number}`);
  }

  private derive(subject: string): string {
    const known = this.#recent.get(subject);
    if (known !== undefined) return known;
    const mac = createHmac('sha256', this.#key).update(subject, 'utf8').digest();
    const key = PATIENT_KEY_PREFIX + base32(mac, PATIENT_KEY_LENGTH);
    if (this.#recent.size >= RECENT_AT_MOST) this.#recent.clear();
    this.#recent.set(subject, key);
    return key;
  }

  /** Never print the key material. */
  toJSON(): string {
    return 'PatientKeyer';
  }
}
