import fc from 'fast-check';
import {
  InvalidResidentIdError,
  RESIDENT_ID_CHECK_CHARACTERS,
  isValidResidentId,
  parseResidentId,
  requireResidentId,
  residentIdCheckCharacter,
} from './resident-id';

const reasonOf = (input: string): string => {
  const r = parseResidentId(input);
  if (r.ok) throw new Error('expected an invalid number');
  return r.reason;
};

/** 17 digits whose birth date (positions 7–14) is a real date, so only the check character
 * decides validity. */
const validPrefix = fc
  .record({
    area: fc.stringMatching(/^[1-8]\d{5}$/),
    birth: fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    sequence: fc.stringMatching(/^\d{3}$/),
  })
  .map(({ area, birth, sequence }) => area + birth.toISOString().slice(0, 10).replace(/-/g, '') + sequence);

describe('residentIdCheckCharacter (ISO 7064 MOD 11-2)', () => {
  it("gives X for the standard's own sample 53010219200508011", () => {
    expect(residentIdCheckCharacter('53010219200508011')).toBe('X');
  });

  it('gives the check character of a known valid number', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
  });

  it('refuses anything but 17 digits', () => {
    expect(() => residentIdCheckCharacter('1101051949123100')).toThrow(RangeError);
    expect(() => residentIdCheckCharacter('1101051949123100A')).toThrow(RangeError);
  });
});

describe('parseResidentId', () => {
  it('accepts 11010519491231002X and reads birth date and gender', () => {
    expect(parseResidentId('11010519491231002X')).toEqual({
      ok: true,
      value: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'female',
    });
  });

  it('accepts a lower-case x and surrounding white space, and returns the number upper-case', () => {
    const r = parseResidentId(' 53010219200508011x ');
    expect(r).toEqual({ ok: true, value: '53010219200508011X', birthDate: '1920-05-08', gender: 'male' });
  });

  it('reads an odd 17th digit as male', () => {
    const r = parseResidentId('440524188001010014');
    expect(r.ok && r.gender).toBe('male');
  });

  it('says what is wrong, without repeating the number', () => {
    expect(reasonOf('1101051949123100')).toBe('a resident ID number has 18 characters, this one has 16');
    expect(reasonOf('1101051949123100XX')).toBe(
      'character 17 is not a digit: the first 17 characters are digits',
    );
    expect(reasonOf('11010519491231002Y')).toBe('the check character (18th) must be a digit or X');
    expect(reasonOf('110105194902300021')).toBe('characters 7–14 are not a valid birth date (YYYYMMDD)');
    expect(reasonOf('110105194912310021')).toBe('check character expected X got 1');
    for (const bad of ['1101051949123100', '110105194912310021', '11010519491331002X']) {
      expect(reasonOf(bad)).not.toContain(bad.slice(0, 10));
    }
  });

  it('rejects impossible dates: 29 February outside leap years, month 13, year 1800', () => {
    const withDate = (yyyymmdd: string): string => {
      const prefix = `110105${yyyymmdd}002`;
      return prefix + residentIdCheckCharacter(prefix);
    };
    expect(isValidResidentId(withDate('20000229'))).toBe(true);
    expect(isValidResidentId(withDate('19000229'))).toBe(false);
    expect(isValidResidentId(withDate('19491301'))).toBe(false);
    expect(isValidResidentId(withDate('18000101'))).toBe(false);
  });

  it('property: every 17-digit prefix has exactly one valid check character', () => {
    fc.assert(
      fc.property(validPrefix, (prefix) => {
        const valid = [...'0123456789X'].filter((c) => isValidResidentId(prefix + c));
        expect(valid).toEqual([residentIdCheckCharacter(prefix)]);
        expect(RESIDENT_ID_CHECK_CHARACTERS).toContain(valid[0]);
      }),
    );
  });

  it('property: changing any single digit of a valid number invalidates it', () => {
    fc.assert(
      fc.property(validPrefix, fc.nat(16), fc.integer({ min: 1, max: 9 }), (prefix, position, delta) => {
        const id = prefix + residentIdCheckCharacter(prefix);
        const changed = String((Number(id[position]) + delta) % 10);
        const mutated = id.slice(0, position) + changed + id.slice(position + 1);
        expect(isValidResidentId(id)).toBe(true);
        expect(isValidResidentId(mutated)).toBe(false);
      }),
    );
  });

  it('property: changing the check character invalidates the number', () => {
    fc.assert(
      fc.property(validPrefix, fc.constantFrom(...'0123456789X'), (prefix, check) => {
        fc.pre(check !== residentIdCheckCharacter(prefix));
        expect(isValidResidentId(prefix + check)).toBe(false);
      }),
    );
  });
});

describe('requireResidentId', () => {
  it('returns the normalised number or throws with the reason only', () => {
    expect(requireResidentId('11010519491231002x')).toBe('11010519491231002X');
    expect(() => requireResidentId('110105194912310021')).toThrow(
      new InvalidResidentIdError('check character expected X got 1'),
    );
  });
});
