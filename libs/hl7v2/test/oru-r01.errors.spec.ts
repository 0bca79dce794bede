import { classifyMessage, mapOruR01Lab, outcomeOf, type Hl7Error } from '../src';
import { CTX, fixture, setField, withSegment } from './fixtures';

const SN = fixture('cn-lis-sn-values-v251.hl7');
const MULTI = fixture('cn-lis-multi-obr-v25.hl7');
const CBC = fixture('cn-lis-cbc-v231.hl7');

function errorsOf(text: string): Hl7Error[] {
  const result = mapOruR01Lab(text, CTX);
  if (result.ok) throw new Error('expected the message to be refused');
  return result.errors;
}

/** The error's location and code, as ERR-2 / ERR-3 would carry them. */
function where(e: Hl7Error): string {
  return (
    [e.segment, e.sequence, e.field, e.repetition, e.component]
      .map((v) => v ?? '')
      .join('^')
      .replace(/\^+$/, '') + ` ${e.code}`
  );
}

describe('ORU^R01 lab mapping: errors name the segment, field and component at fault', () => {
  it('missing OBR-3 and OBR-2 → 101 at OBR^1^3', () => {
    const text = withSegment(SN, 'OBR', 1, (l) => setField(setField(l, 3, ''), 2, ''));
    const errors = errorsOf(text);
    expect(errors.map(where)).toEqual(['OBR^1^3 101']);
    expect(errors[0]!.message).toMatch(/accession/);
  });

  it('an NM value that is not a number → 102 at OBX^n^5, n counting OBX across OBR groups', () => {
    const text = withSegment(MULTI, 'OBX', 3, (l) => setField(l, 5, 'abc'));
    expect(errorsOf(text).map(where)).toEqual(['OBX^3^5 102']);
    const huge = withSegment(MULTI, 'OBX', 1, (l) => setField(l, 5, '9'.repeat(400)));
    expect(errorsOf(huge).map(where)).toEqual(['OBX^1^5 102']);
  });

  it('missing PID-3 → 101 at PID^1^3', () => {
    expect(errorsOf(withSegment(CBC, 'PID', 1, (l) => setField(l, 3, ''))).map(where)).toEqual([
      'PID^1^3 101',
    ]);
  });

  it('PID-3 with only account and visit numbers → 101 at PID^1^3^^1', () => {
    const text = withSegment(CBC, 'PID', 1, (l) => setField(l, 3, 'AC1^^^X^AN~V2^^^X^VN'));
    expect(errorsOf(text).map(where)).toEqual(['PID^1^3^^1 101']);
  });

  it('a resident ID number typed NNCHN that fails the check → 102 at its repetition, number not repeated', () => {
    const text = withSegment(CBC, 'PID', 1, (l) =>
      setField(l, 3, '0012345678^^^BJSYYY^MR~110105194912310021^^^^NNCHN'),
    );
    const errors = errorsOf(text);
    expect(errors.map(where)).toEqual(['PID^1^3^2^1 102']);
    expect(errors[0]!.message).not.toContain('110105194912310021');
  });

  it('a value without OBX-2, or of a type outside table 0125, is read as text (with a note when untyped)', () => {
    const unknown = mapOruR01Lab(
      withSegment(SN, 'OBX', 2, (l) => setField(l, 2, 'XYZ')),
      CTX,
    );
    expect(unknown.ok).toBe(true);
    const untyped = mapOruR01Lab(
      withSegment(SN, 'OBX', 2, (l) => setField(l, 2, '')),
      CTX,
    );
    if (!untyped.ok) throw new Error(JSON.stringify(untyped.errors));
    const second = untyped.reports[0]!.observations[1]!;
    expect(typeof second.valueString).toBe('string');
    expect(second.valueString!.length).toBeGreaterThan(0);
    expect(second.note?.map((n) => n.text)).toContain(
      'OBX-2 (value type) not sent: the value is kept as text',
    );
  });

  it('SN that no row of the v2-to-FHIR SN map fits (a part not a number or comparator) → valueString as sent', () => {
    for (const [sent, text] of [
      ['>^abc', '>abc'],
      ['<<^5', '<<5'],
    ]) {
      const result = mapOruR01Lab(
        withSegment(SN, 'OBX', 1, (l) => setField(l, 5, sent!)),
        CTX,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.reports[0]!.observations[0]!.valueString).toMatch(new RegExp(`^${text}`));
    }
  });

  it('missing codes → 101 at OBR^n^4 and OBX^n^3', () => {
    const text = withSegment(
      withSegment(SN, 'OBR', 1, (l) => setField(l, 4, '')),
      'OBX',
      4,
      (l) => setField(l, 3, ''),
    );
    expect(errorsOf(text).map(where)).toEqual(['OBR^1^4 101', 'OBX^4^3 101']);
  });

  it('status values outside tables 0123 / 0085 → 103; no status anywhere → 101 at OBR^n^25', () => {
    expect(errorsOf(withSegment(SN, 'OBR', 1, (l) => setField(l, 25, 'Q'))).map(where)).toEqual([
      'OBR^1^25 103',
    ]);
    expect(errorsOf(withSegment(SN, 'OBX', 6, (l) => setField(l, 11, 'Q'))).map(where)).toEqual([
      'OBX^6^11 103',
    ]);
    let text = withSegment(SN, 'OBR', 1, (l) => setField(l, 25, ''));
    for (let n = 1; n <= 6; n++) text = withSegment(text, 'OBX', n, (l) => setField(l, 11, ''));
    expect(errorsOf(text).map(where)).toEqual(['OBR^1^25 101']);
  });

  it('dates that are not dates → 102 at OBR-7, OBR-22, OBX-14, PID-7; unknown sex → 103 at PID-8', () => {
    let text = withSegment(SN, 'OBR', 1, (l) => setField(setField(l, 7, '20241399'), 22, 'yesterday'));
    text = withSegment(text, 'OBX', 1, (l) => setField(l, 14, '2024'.padEnd(12, 'x')));
    text = withSegment(text, 'PID', 1, (l) => setField(setField(l, 7, '19490231'), 8, 'Z'));
    expect(errorsOf(text).map(where)).toEqual([
      'PID^1^7 102',
      'PID^1^8 103',
      'OBR^1^7 102',
      'OBR^1^22 102',
      'OBX^1^14 102',
    ]);
  });

  it('structure: OBX or SPM before PID, no PID, a second patient, no OBR, a repeated accession', () => {
    const obxFirst = SN.replace('\rPID|', '\rOBX|9|NM|X^X^L||1|||||F\rPID|');
    expect(errorsOf(obxFirst).map(where)).toEqual(['OBX^1 100']);
    const spmFirst = SN.replace('\rOBR|', '\rSPM|1|S1||BLD\rOBR|');
    expect(errorsOf(spmFirst).map(where)).toEqual(['SPM^1 100']);
    expect(errorsOf(withSegment(SN, 'PID', 1, () => null)).map(where)).toEqual(['PID^1 100']);
    const twoPatients = MULTI.replace('\rOBR|3|', '\rPID|1||OTHER^^^WHXHYY^MR||钱^二\rOBR|3|');
    expect(errorsOf(twoPatients).map(where)).toEqual(['PID^2^3 100']);
    const onlyPid = SN.split('\r').slice(0, 2).join('\r');
    expect(errorsOf(onlyPid).map(where)).toEqual(['OBR^1 100']);
    // the same number and the same OBR-4 twice (another OBR-4 is another panel of the order)
    const repeated = withSegment(MULTI, 'OBR', 2, (l) =>
      setField(setField(l, 3, 'WH-A-001'), 4, 'CBC^血常规^L'),
    );
    const sameOrc = withSegment(repeated, 'ORC', 2, (l) => setField(l, 3, 'WH-A-001'));
    expect(errorsOf(sameOrc).map(where)).toEqual(['OBR^2^3 205']);
  });

  it('collects every error of a message, not just the first', () => {
    let text = withSegment(MULTI, 'OBX', 1, (l) => setField(l, 5, 'high'));
    text = withSegment(text, 'OBX', 4, (l) => setField(l, 14, 'someday'));
    text = withSegment(text, 'PID', 1, (l) => setField(l, 8, 'X'));
    expect(errorsOf(text).map(where)).toEqual(['PID^1^8 103', 'OBX^1^5 102', 'OBX^4^14 102']);
    expect(outcomeOf(errorsOf(text))).toBe('content-error');
  });
});

describe('classifyMessage', () => {
  const msh = (type: string, version = '2.5.1', control = 'C1', processing = 'P') =>
    `MSH|^~\\&|LIS|H1|HUB|Y|20240101000000||${type}|${control}|${processing}|${version}\rPID|1||1^^^H1^MR`;

  it('reads type, version, control id and processing id', () => {
    expect(classifyMessage(SN)).toEqual({
      ok: true,
      type: 'ORU^R01',
      version: '2.5.1',
      controlId: 'SN-0001',
      processingId: 'P',
    });
    expect(classifyMessage(msh('ADT^A01^ADT_A01', '2.4'))).toMatchObject({
      ok: true,
      type: 'ADT^A01',
      version: '2.4',
    });
  });

  it.each([
    ['2.3', '2.3'],
    ['2.5.1', '2.5.1'],
    ['2.6', '2.6'],
    ['2.7.1', '2.7.1'],
    ['2.8.2', '2.8.2'],
    ['2.9', '2.9'],
    ['2.10', '2.9'],
    ['2.11', '2.9'],
    ['2.9.1', '2.9'],
    ['2.6.1', '2.6'],
    ['2.8^CHN', '2.8'],
  ])('version %s is read as %s', (sent, read) => {
    expect(classifyMessage(msh('ORU^R01', sent))).toMatchObject({ ok: true, version: read });
  });

  it.each([
    ['unknown type', 'MSH^1^9^^1 200', msh('XYZ^Q01')],
    ['unknown trigger event', 'MSH^1^9^^2 201', msh('ORU^R30')],
    ['version 2.2', 'MSH^1^12^^1 203', msh('ORU^R01', '2.2')],
    ['version text', 'MSH^1^12^^1 203', msh('ORU^R01', 'v2.9')],
    ['no control id', 'MSH^1^10 101', msh('ORU^R01', '2.5.1', '')],
    ['processing id X', 'MSH^1^11^^1 202', msh('ORU^R01', '2.5.1', 'C1', 'X')],
    ['no message type', 'MSH^1^9^^1 101', msh('')],
  ])('%s → %s', (_label, expected, text) => {
    const result = classifyMessage(text);
    expect(result.ok ? [] : result.errors.map(where)).toEqual([expected]);
  });

  it('the lab mapping refuses other message types with 200, an outcome that means AR', () => {
    const errors = errorsOf(msh('ADT^A01'));
    expect(errors.map(where)).toEqual(['MSH^1^9 200']);
    expect(outcomeOf(errors)).toBe('rejected');
  });

  it('text that is not HL7 v2 → 100 or 102 at MSH', () => {
    expect(errorsOf('hello').map(where)).toEqual(['MSH^1^1 100']);
    expect(errorsOf('MSHA^~\\&|x').map(where)).toEqual(['MSH^1^1 102']);
    expect(errorsOf('MSH|^^\\&|x').map(where)).toEqual(['MSH^1^2 102']);
    expect(errorsOf('').map(where)).toEqual(['MSH^1^1 100']);
  });
});
