/**
 * Whatever a sender sends — valid messages with segments dropped, repeated, swapped or garbled,
 * fields replaced by random text full of delimiters, random bytes, truncation — the mapping
 * and the ACK builder never throw: the message maps, or every error names a segment, and the
 * ACK carries one ERR per error.
 */
import fc from 'fast-check';
import { buildAck, mapOruR01Lab, outcomeOf, parseHl7 } from '../src';
import { CTX, fixture, fixtureNames } from './fixtures';

const MESSAGES = fixtureNames().map(fixture);
const NOW = new Date('2024-03-15T02:31:00Z');
const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

const hl7Text = fc.string({
  unit: fc.constantFrom(
    '|',
    '^',
    '~',
    '\\',
    '&',
    '"',
    '\r',
    '\n',
    'A',
    'Z',
    '1',
    '9',
    '.',
    '-',
    '<',
    '>',
    ' ',
    '钾',
    'X',
    'F',
    'S',
    'E',
    '\x0b',
    '\x1c',
    '\u0000',
  ),
  maxLength: 40,
});
/** Delimiter-rich text, or a number far too long for a double. */
const hl7ish = fc.oneof(
  hl7Text,
  hl7Text,
  fc.integer({ min: 300, max: 400 }).map((n) => '9'.repeat(n)),
);

type Mutation = (segments: string[]) => string[];

/** Replaces a field of the nth segment with that id: where the mapping reads most. */
const fieldOf = (id: string, field: number) =>
  fc.tuple(fc.nat(), hl7ish).map(([n, value]) => (s: string[]) => {
    const lines = s.map((line, i) => [line, i] as const).filter(([line]) => line.startsWith(`${id}|`));
    const target = lines.length > 0 ? lines[n % lines.length]![1] : -1;
    return s.map((line, i) => {
      if (i !== target) return line;
      const fields = line.split('|');
      while (fields.length <= field) fields.push('');
      fields[field] = value;
      return fields.join('|');
    });
  });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fieldOf('OBX', 5),
  fieldOf('OBX', 7),
  fieldOf('OBR', 7),
  fieldOf('PID', 3),
  fc.nat().map((i) => (s: string[]) => s.filter((_, j) => j !== i % s.length)),
  fc.nat().map((i) => (s: string[]) => [...s.slice(0, (i % s.length) + 1), ...s.slice(i % s.length)]),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s: string[]) => {
    const out = [...s];
    const [x, y] = [a % s.length, b % s.length];
    [out[x], out[y]] = [out[y]!, out[x]!];
    return out;
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 30 }), hl7ish).map(([i, f, value]) => (s: string[]) => {
    const out = [...s];
    const fields = (out[i % s.length] ?? '').split('|');
    while (fields.length <= f) fields.push('');
    fields[f] = value;
    out[i % s.length] = fields.join('|');
    return out;
  }),
  fc.tuple(fc.nat(), fc.nat(), hl7ish).map(([i, at, value]) => (s: string[]) => {
    const out = [...s];
    const line = out[i % s.length] ?? '';
    const p = at % (line.length + 1);
    out[i % s.length] = line.slice(0, p) + value + line.slice(p);
    return out;
  }),
  fc.nat().map(
    (n) => (s: string[]) =>
      s
        .join('\r')
        .slice(0, n % (s.join('\r').length + 1))
        .split('\r'),
  ),
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => (s: string[]) => [...s, Buffer.from(bytes).toString('latin1')]),
);

const sample = fc.tuple(
  fc.nat({ max: MESSAGES.length - 1 }),
  fc.array(mutation, { minLength: 1, maxLength: 6 }),
);

function check(text: string): void {
  const result = mapOruR01Lab(text, CTX);
  if (result.ok) {
    expect(result.reports.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain('null');
  } else {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(e.segment).toMatch(SEGMENT_ID);
      expect(e.code).not.toBe(207); // the mapper's safety net was not needed
      expect(e.message.length).toBeGreaterThan(0);
    }
  }
  const errors = result.ok ? [] : result.errors;
  const code = outcomeOf(errors) === 'accepted' ? 'AA' : 'AE';
  const ack = buildAck(text, code, errors, { now: NOW });
  const parsed = parseHl7(ack);
  expect(parsed.ok).toBe(true);
  if (parsed.ok) {
    expect(parsed.message.getSegment('MSA')?.getField(1)?.toString()).toBe(code);
    expect(parsed.message.getAllSegments('ERR')).toHaveLength(errors.length);
  }
}

describe('ORU^R01 mapping and ACK under mutation', () => {
  it('never throw on mutated valid messages, and either map or name a segment', () => {
    fc.assert(
      fc.property(sample, ([index, mutations]) => {
        const segments = mutations.reduce(
          (s, m) => (s.length === 0 ? s : m(s)),
          MESSAGES[index]!.split('\r'),
        );
        check(segments.join('\r'));
      }),
      { numRuns: 1_500 },
    );
  });

  it('never throw on random text and bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hl7ish.map((s) => `MSH|^~\\&|${s}`),
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
        ),
        (text) => {
          check(text);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
