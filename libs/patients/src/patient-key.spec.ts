import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { InvalidResidentIdError, residentIdCheckCharacter } from './resident-id';
import { PATIENT_KEY_PATTERN, PatientKeyer, isPatientKey } from './patient-key';
import {
  RESIDENT_ID_SYSTEM,
  institutionOfMrnSystem,
  isResidentIdSystem,
  mrnSystem,
} from './identifier-systems';

const SECRET = 'test-secret-0123456789abcdef-0123456789';
const RID = '11010519491231002X';

describe('PatientKeyer', () => {
  const keyer = new PatientKeyer(SECRET);

  it('gives a pk_ key of 29 URL- and Kafka-safe characters', () => {
    const key = keyer.forResidentId(RID);
    expect(key).toMatch(PATIENT_KEY_PATTERN);
    expect(key).toHaveLength(29);
    expect(isPatientKey(key)).toBe(true);
    // what platform-api accepts as Patient/{key}
    expect(key).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it('is the truncated base32 HMAC-SHA256 of rid|<id> (documented derivation)', () => {
    const mac = createHmac('sha256', SECRET).update(`rid|${RID}`).digest();
    const bits = [...mac].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = Array.from({ length: 26 }, (_, i) =>
      'abcdefghijklmnopqrstuvwxyz234567'.charAt(parseInt(bits.slice(i * 5, i * 5 + 5), 2)),
    ).join('');
    expect(keyer.forResidentId(RID)).toBe(`pk_${expected}`);
  });

  it('is stable across instances and for the spellings of the same number', () => {
    const other = new PatientKeyer(Buffer.from(SECRET, 'utf8'));
    expect(other.forResidentId(RID)).toBe(keyer.forResidentId(RID));
    expect(keyer.forResidentId(' 11010519491231002x')).toBe(keyer.forResidentId(RID));
    expect(keyer.forMrn(' H0001', 'MZ0048213 ')).toBe(keyer.forMrn('H0001', 'MZ0048213'));
  });

  it('depends on the secret', () => {
    const other = new PatientKeyer('another-secret-0123456789abcdef-012345');
    expect(other.forResidentId(RID)).not.toBe(keyer.forResidentId(RID));
  });

  it('keeps resident ID and MRN subjects apart, and MRNs of different institutions apart', () => {
    const keys = new Set([
      keyer.forResidentId(RID),
      keyer.forMrn('H0001', RID),
      keyer.forMrn('H0001', 'MZ0048213'),
      keyer.forMrn('H0002', 'MZ0048213'),
    ]);
    expect(keys.size).toBe(4);
  });

  it('never contains the identifier in clear, and is never printed with its secret', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1[1-5]\d{4}(19[5-9]\d|20[01]\d)0[1-9]1\d\d{3}$/), (prefix) => {
        const id = prefix + residentIdCheckCharacter(prefix);
        const key = keyer.forResidentId(id);
        expect(key).toMatch(PATIENT_KEY_PATTERN);
        expect(key).not.toContain(id.slice(6, 14));
      }),
    );
    expect(inspect(keyer)).not.toContain(SECRET);
    expect(JSON.stringify({ keyer })).not.toContain(SECRET);
  });

  it('refuses a secret shorter than 32 bytes, counting UTF-8 bytes', () => {
    expect(() => new PatientKeyer('too-short')).toThrow(/at least 32 bytes/);
    expect(() => new PatientKeyer(Buffer.alloc(31))).toThrow(/at least 32 bytes/);
    expect(() => new PatientKeyer('医联体'.repeat(4))).not.toThrow(); // 36 bytes
  });

  it('refuses an invalid resident ID number without echoing it', () => {
    const bad = '110105194912310021';
    expect(() => keyer.forResidentId(bad)).toThrow(InvalidResidentIdError);
    expect(() => keyer.forResidentId(bad)).not.toThrow(new RegExp(bad));
  });

  it('refuses an empty MRN and an institution code that could be confused with the separator', () => {
    expect(() => keyer.forMrn('H0001', '  ')).toThrow(RangeError);
    expect(() => keyer.forMrn('H0|01', '1')).toThrow(RangeError);
    expect(() => keyer.forMrn('', '1')).toThrow(RangeError);
  });
});

describe('identifier systems', () => {
  it('writes the national OID for the resident ID number and accepts the URN alias', () => {
    expect(RESIDENT_ID_SYSTEM).toBe('urn:oid:2.16.156.10011.1.3');
    expect(isResidentIdSystem('urn:oid:2.16.156.10011.1.3')).toBe(true);
    expect(isResidentIdSystem('urn:yilian:identifier:resident-id')).toBe(true);
    expect(isResidentIdSystem('urn:yilian:institution:H0001:mrn')).toBe(false);
    expect(isResidentIdSystem(undefined)).toBe(false);
  });

  it('names one MRN system per institution and reads the institution back', () => {
    expect(mrnSystem('H0001')).toBe('urn:yilian:institution:H0001:mrn');
    expect(institutionOfMrnSystem('urn:yilian:institution:H0001:mrn')).toBe('H0001');
    expect(institutionOfMrnSystem('urn:yilian:institution:H0001:lab-report')).toBeUndefined();
    expect(() => mrnSystem('a:b')).toThrow(RangeError);
  });
});
