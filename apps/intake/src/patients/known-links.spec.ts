import { KnownLinks } from './known-links';

describe('KnownLinks', () => {
  let now = 0;
  const links = () => new KnownLinks(2, 1000, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('knows a remembered link until it expires', () => {
    const known = links();
    expect(known.has('m', 'p')).toBe(false);
    known.remember('m', 'p');
    expect(known.has('m', 'p')).toBe(true);
    expect(known.has('m', 'q')).toBe(false);
    now = 1000;
    expect(known.has('m', 'p')).toBe(false);
  });

  it('holds at most maxEntries, oldest out first', () => {
    const known = links();
    known.remember('a', 'p');
    known.remember('b', 'p');
    known.remember('c', 'p');
    expect([known.has('a', 'p'), known.has('b', 'p'), known.has('c', 'p')]).toEqual([false, true, true]);
  });

  it('forgets the links of separated keys, and a fact read before the change', () => {
    const known = links();
    known.remember('a', 'p');
    known.remember('ab', 'p');
    const before = known.snapshot();
    known.forget(['a']);
    expect(known.has('a', 'p')).toBe(false);
    expect(known.has('ab', 'p')).toBe(true);
    known.remember('a', 'p', before);
    expect(known.has('a', 'p')).toBe(false);
    known.remember('a', 'p', known.snapshot());
    expect(known.has('a', 'p')).toBe(true);
  });
});
