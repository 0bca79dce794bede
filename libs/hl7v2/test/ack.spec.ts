import { Hl7Message } from '@medplum/core';
import {
  acknowledgementCodes,
  ackModeFor,
  applicationResponseType,
  buildAck,
  buildAcks,
  formatHl7Timestamp,
  mapOruR01Lab,
  outcomeOf,
  parseHl7,
  type Hl7Error,
  type IntakeOutcome,
} from '../src';
import { CTX, fixture, setField, withSegment } from './fixtures';
import { imagingFixture } from './imaging/imaging-fixtures';

const NOW = new Date('2024-03-15T02:31:00.000Z'); // 10:31:00 in China

describe('buildAck', () => {
  it('answers AA with sender and receiver swapped, the original version, charset and control id', () => {
    const ack = buildAck(fixture('cn-lis-cbc-v231.hl7'), 'AA', [], { now: NOW });
    expect(ack.split('\r')).toEqual([
      'MSH|^~\\&|YILIAN|HUB|LIS|BJSYYY|20240315103100+0800||ACK^R01^ACK|AALIS20240315000123|P|2.3.1||||||UNICODE UTF-8',
      'MSA|AA|LIS20240315000123|',
      '',
    ]);
  });

  it('answers AE with one ERR per error: location, table 0357 code, severity, readable message', () => {
    const text = withSegment(fixture('cn-lis-multi-obr-v25.hl7'), 'OBX', 3, (l) => setField(l, 5, 'abc'));
    const result = mapOruR01Lab(text, CTX);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    const ack = buildAck(text, 'AE', errors, { now: NOW, controlId: 'ACK-1' });
    expect(ack.split('\r')).toEqual([
      'MSH|^~\\&|YILIAN|HUB|LIS|WHXHYY|20240315103100+0800||ACK^R01^ACK|ACK-1|P|2.5',
      'MSA|AE|WH0610-3321|OBX-5 is not a number (NM, up to 15 digits each side of the point)',
      'ERR||OBX^3^5|102^Data type error^HL70357|E||||OBX-5 is not a number (NM, up to 15 digits each side of the point)',
      '',
    ]);
  });

  it('fills ERR-1 (ELD) too for originals before v2.5, and escapes delimiters in messages', () => {
    const errors: Hl7Error[] = [
      {
        segment: 'PID',
        sequence: 1,
        field: 3,
        repetition: 2,
        component: 1,
        code: 102,
        message: 'bad | value ^ here & there',
      },
      { segment: 'OBR', sequence: 2, field: 25, code: 103, message: 'status Q' },
    ];
    const ack = buildAck(fixture('cn-lis-cbc-v231.hl7'), 'AE', errors, { now: NOW });
    const lines = ack.split('\r');
    expect(lines[2]).toBe(
      'ERR|PID^1^3^102&Data type error&HL70357|PID^1^3^2^1|102^Data type error^HL70357|E||||bad \\F\\ value \\S\\ here \\T\\ there',
    );
    expect(lines[3]).toBe(
      'ERR|OBR^2^25^103&Table value not found&HL70357|OBR^2^25|103^Table value not found^HL70357|E||||status Q',
    );
    const reparsed = parseHl7(ack);
    expect(reparsed.ok && reparsed.message.getAllSegments('ERR')).toHaveLength(2);
  });

  it('answers text that is not HL7 with an AR carrying defaults and no control id', () => {
    const errors: Hl7Error[] = [
      {
        segment: 'MSH',
        sequence: 1,
        field: 1,
        code: 100,
        message: 'the message does not start with an MSH segment',
      },
    ];
    const ack = buildAck('\u0000\u00ffgarbage|^~', 'AR', errors, { now: NOW, controlId: 'X1' });
    expect(ack.split('\r').slice(0, 2)).toEqual([
      'MSH|^~\\&|||||20240315103100+0800||ACK|X1|P|2.5.1',
      'MSA|AR||the message does not start with an MSH segment',
    ]);
  });

  it('uses the original separators and can be read back by @medplum/core', () => {
    const original = 'MSH#$*\\@#LIS#H1#HUB#Y#20240101000000##ORU$R01$ORU_R01#C$1#P#2.4\rPID#1##7$$$H1$MR';
    const ack = buildAck(original, 'CA', [], { now: NOW });
    expect(ack.split('\r')[0]).toBe(
      'MSH#$*\\@#HUB#Y#LIS#H1#20240315103100+0800##ACK$R01$ACK#CAC\\S\\1#P#2.4',
    );
    const parsed = Hl7Message.parse(ack.trimEnd());
    expect(parsed.getSegment('MSA')?.getField(2)?.toString()).toBe('C$1');
    expect(parsed.getSegment('MSA')?.getField(1)?.toString()).toBe('CA');
  });

  it('answers an order with its application response: ORI^O24 to OMI^O23, ORR^O02 to ORM^O01; commit ACKs stay ACK', () => {
    const omi = imagingFixture('cn-pacs-omi-ct-v251.hl7');
    const responseType = applicationResponseType(omi);
    expect(responseType).toEqual(['ORI', 'O24', 'ORI_O24']);
    expect(buildAck(omi, 'AA', [], { now: NOW, responseType }).split('\r')).toEqual([
      'MSH|^~\\&|YILIAN|HUB|PACS|C002|20240315103100+0800||ORI^O24^ORI_O24|AAPACS0312000045|P|2.5.1||||||UNICODE UTF-8',
      'MSA|AA|PACS0312000045|',
      '',
    ]);
    const error: Hl7Error = { segment: 'IPC', sequence: 1, field: 3, code: 101, message: 'no UID' };
    const refused = buildAck(omi, 'AE', [error], { now: NOW, responseType }).split('\r');
    expect(refused[0]?.split('|')[8]).toBe('ORI^O24^ORI_O24');
    expect(refused.slice(1, 3)).toEqual([
      'MSA|AE|PACS0312000045|no UID',
      'ERR||IPC^1^3|101^Required field missing^HL70357|E||||no UID',
    ]);
    expect(buildAck(omi, 'CA', [], { now: NOW, responseType }).split('|')[8]).toBe('ACK^O23^ACK');

    const orm = imagingFixture('cn-pacs-orm-dr-v23.hl7');
    const orr = applicationResponseType(orm);
    expect(orr).toEqual(['ORR', 'O02', 'ORR_O02']);
    expect(buildAck(orm, 'AR', [], { now: NOW, responseType: orr }).split('|')[8]).toBe('ORR^O02^ORR_O02');
    expect(buildAck(orm, 'CR', [], { now: NOW, responseType: orr }).split('|')[8]).toBe('ACK^O01^ACK');
  });

  it('answers everything else with ACK: no application response for ORU, MDM, ADT or garbage', () => {
    for (const text of [
      fixture('cn-lis-cbc-v231.hl7'),
      imagingFixture('cn-mdm-t08-ct-edit-v25.hl7'),
      'MSH|^~\\&|HIS|H001|Y|HUB|20240101||ADT^A01|A1|P|2.5',
      '\u0000garbage',
    ]) {
      expect(applicationResponseType(text)).toBeUndefined();
    }
    expect(buildAck(imagingFixture('cn-mdm-t08-ct-edit-v25.hl7'), 'AA', [], { now: NOW }).split('|')[8]).toBe(
      'ACK^T08^ACK',
    );
  });

  it('formats MSH-7 in the given offset', () => {
    expect(formatHl7Timestamp(NOW)).toBe('20240315103100+0800');
    expect(formatHl7Timestamp(NOW, 0)).toBe('20240315023100+0000');
    expect(formatHl7Timestamp(NOW, -300)).toBe('20240314213100-0500');
    expect(formatHl7Timestamp(new Date(Number.NaN), 0)).toBe('19700101000000+0000');
  });
});

describe('acknowledgement modes', () => {
  const outcomes: IntakeOutcome[] = ['accepted', 'content-error', 'rejected', 'internal-error'];
  const plan = (msh15: string, msh16: string) =>
    outcomes.map((o) => acknowledgementCodes(ackModeFor(msh15, msh16), o).join('+') || '-');

  it('original mode (MSH-15 and MSH-16 empty): one ACK after the append', () => {
    expect(ackModeFor('', '')).toEqual({ mode: 'original' });
    expect(ackModeFor(undefined, ' ')).toEqual({ mode: 'original' });
    expect(plan('', '')).toEqual(['AA', 'AE', 'AR', 'AR']);
  });

  it.each([
    ['AL', 'NE', ['CA', 'CE', 'CR', 'CE']],
    ['AL', 'AL', ['CA+AA', 'CE+AE', 'CR+AR', 'CE+AR']],
    ['ER', 'NE', ['-', 'CE', 'CR', 'CE']],
    ['SU', 'NE', ['CA', '-', '-', '-']],
    ['NE', 'NE', ['-', '-', '-', '-']],
    ['NE', 'ER', ['-', 'AE', 'AR', 'AR']],
    ['NE', 'SU', ['AA', '-', '-', '-']],
    ['AL', '', ['CA', 'CE', 'CR', 'CE']],
    ['', 'AL', ['CA+AA', 'CE+AE', 'CR+AR', 'CE+AR']],
    ['XX', 'NE', ['CA', 'CE', 'CR', 'CE']],
  ])(
    'enhanced MSH-15=%s MSH-16=%s → accepted, content error, rejected, internal error: %j',
    (msh15, msh16, expected) => {
      expect(plan(msh15, msh16)).toEqual(expected);
    },
  );

  it('buildAcks reads the mode from the original and builds each ACK in order', () => {
    const enhanced = fixture('cn-lis-two-specimens-v251.hl7'); // MSH-15 AL, MSH-16 AL
    const acks = buildAcks(enhanced, 'accepted', [], { now: NOW });
    expect(acks.map((a) => a.split('\r')[1])).toEqual(['MSA|CA|XA0105-77|', 'MSA|AA|XA0105-77|']);
    expect(acks.map((a) => a.split('|')[9])).toEqual(['CAXA0105-77', 'AAXA0105-77']);
    const original = buildAcks(fixture('cn-lis-cbc-v231.hl7'), 'content-error', [], { now: NOW });
    expect(original.map((a) => a.split('\r')[1])).toEqual(['MSA|AE|LIS20240315000123|']);
    const silent = withSegment(enhanced, 'MSH', 1, (l) => setField(setField(l, 15, 'NE'), 16, 'NE'));
    expect(buildAcks(silent, 'accepted', [], { now: NOW })).toEqual([]);
  });

  it('outcomeOf reads the error codes', () => {
    expect(outcomeOf([])).toBe('accepted');
    expect(outcomeOf([{ code: 101 }, { code: 102 }])).toBe('content-error');
    expect(outcomeOf([{ code: 200 }])).toBe('rejected');
    expect(outcomeOf([{ code: 203 }, { code: 101 }])).toBe('rejected');
    expect(outcomeOf([{ code: 207 }])).toBe('internal-error');
  });
});
