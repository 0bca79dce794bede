import { Hl7Context, Hl7Message } from '@medplum/core';
import iconv from 'iconv-lite';
import {
  batchMessages,
  decodeFrame,
  declaredCharset,
  encodeText,
  escapeHl7,
  parseHl7,
  parseHl7DateTime,
  parseHl7Header,
  unescapeHl7,
} from '../src';
import { textComponent } from '../src/hl7-fields';
import { fixture } from './fixtures';

describe('parseHl7', () => {
  it('reads CR, LF and CRLF segment ends, skips blank lines and a leading BOM', () => {
    const text = '\uFEFF\r\nMSH|^~\\&|A|B\r\nPID|1||X\n\nOBR|1\rOBX|1\r';
    const result = parseHl7(text);
    expect(result.ok && result.message.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'OBR', 'OBX']);
  });

  it('gives missing encoding characters their defaults (sender sent ^~\\ only)', () => {
    const result = parseHl7('MSH|^~\\|A\rPID|1||a&b^^^H^MR');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.message.context.subcomponentSeparator).toBe('&');
      expect(textComponent(result.message.segments[1]!, 3, 1)).toBe('a&b');
    }
  });

  it('accepts the v2.7 truncation character and refuses duplicate or alphanumeric separators', () => {
    expect(parseHl7('MSH|^~\\&#|A').ok).toBe(true);
    expect(parseHl7('MSH|^^\\&|A').ok).toBe(false);
    expect(parseHl7('MSH|^~A&|A').ok).toBe(false);
    expect(parseHl7('MSH||A').ok).toBe(false);
    expect(parseHl7('MSH').ok).toBe(false);
  });

  it('reads every field as the HL7 library does, though it splits a field only when read', () => {
    const text = [
      'MSH|^~\\&|LIS|H001|HUB|Y|20261123||ORU^R01^ORU_R01|C1|P|2.5.1',
      'PID|1||MRN1^^^HIS^MR~110105194001010001^^^NNCHN^NNCHN||王^小明',
      'OBX|1|NM|K^钾^L^2823-3^钾^LN||3.1|mmol/L|3.5-5.3|N|||F|||20261123083000||检验科^张三&x',
    ].join('\r');
    const ours = parseHl7(text);
    const library = Hl7Message.parse(text);
    if (!ours.ok) throw new Error('did not parse');
    ours.message.segments.forEach((segment, s) => {
      const theirs = library.segments[s]!;
      expect(segment.name).toBe(theirs.name);
      expect(segment.fields.map((f) => f.toString())).toEqual(theirs.fields.map((f) => f.toString()));
      expect(segment.fields.map((f) => f.components)).toEqual(theirs.fields.map((f) => f.components));
    });
    expect(ours.message.toString()).toBe(library.toString());
    const obx = ours.message.getSegment('OBX')!;
    expect(obx.getComponent(16, 2, 1)).toBe('x');
    expect(obx.getField(3).setComponent(2, 'K+')).toBe(true); // the library's own setter
    expect(obx.getField(3).toString()).toBe('K^K+^L^2823-3^钾^LN');
  });
});

describe('batch protocol (FHS / BHS … BTS / FTS)', () => {
  it('a batch of one: its message, the envelope dropped; the header is the message’s', () => {
    const text = fixture('batch/intl-batch-one-oru-v251.hl7');
    const messages = batchMessages(text)!;
    expect(messages).toHaveLength(1);
    expect(messages[0]!.split('\r').map((s) => s.slice(0, 3))).toEqual(['MSH', 'PID', 'OBR', 'OBX']);
    const header = parseHl7Header(text);
    expect(header.ok && textComponent(header.message.segments[0]!, 10)).toBe('BATCH-0001');
  });

  it('several messages are each one; an ordinary message is no batch', () => {
    const one = fixture('batch/intl-batch-one-oru-v251.hl7');
    const inner = batchMessages(one)![0]!;
    const two = one.replace('BTS|1', `${inner.replace('BATCH-0001', 'BATCH-0002')}\rBTS|2`);
    expect(batchMessages(two)!.map((m) => m.split('|')[9])).toEqual(['BATCH-0001', 'BATCH-0002']);
    expect(batchMessages(inner)).toBeUndefined();
    expect(batchMessages('FHS|^~\\&\rFTS|0')).toEqual([]);
  });
});

describe('escape sequences', () => {
  const ctx = new Hl7Context();

  it('unescapes delimiters, line breaks, hexadecimal data; drops highlighting', () => {
    expect(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', ctx)).toBe('a|b^c&d~e\\f');
    expect(unescapeHl7('line1\\.br\\line2\\.sp2\\', ctx)).toBe('line1\nline2\n');
    expect(unescapeHl7('\\H\\bold\\N\\', ctx)).toBe('bold');
    expect(unescapeHl7('\\XE992BE\\', ctx)).toBe('钾');
    expect(unescapeHl7('C:\\path\\file', ctx)).toBe('C:\\path\\file');
    expect(unescapeHl7('trailing\\', ctx)).toBe('trailing\\');
  });

  it('escape then unescape gives the text back (line breaks become spaces)', () => {
    const text = 'a|b^c&d~e\\f 钾 <5';
    expect(unescapeHl7(escapeHl7(text, ctx), ctx)).toBe(text);
    expect(escapeHl7('a\r\nb', ctx)).toBe('a  b');
  });
});

describe('parseHl7DateTime', () => {
  it.each([
    ['2024', '2024', '2024', undefined],
    ['202403', '2024-03', '2024-03', undefined],
    ['20240315', '2024-03-15', '2024-03-15', undefined],
    ['2024031510', '2024-03-15', '2024-03-15T10:00:00+08:00', undefined],
    ['202403151030', '2024-03-15', '2024-03-15T10:30:00+08:00', '2024-03-15T10:30:00+08:00'],
    [
      '20240315103005.123+0000',
      '2024-03-15',
      '2024-03-15T10:30:05.123+00:00',
      '2024-03-15T10:30:05.123+00:00',
    ],
    ['20240315103005-0500', '2024-03-15', '2024-03-15T10:30:05-05:00', '2024-03-15T10:30:05-05:00'],
    ['2024-03-15 10:30', '2024-03-15', '2024-03-15T10:30:00+08:00', '2024-03-15T10:30:00+08:00'],
    ['20240229', '2024-02-29', '2024-02-29', undefined],
  ])('%s → date %s, dateTime %s, instant %s', (text, date, dateTime, instant) => {
    expect(parseHl7DateTime(text)).toEqual({ date, dateTime, ...(instant ? { instant } : {}) });
  });

  it.each([
    '20230229',
    '20241301',
    '20240132',
    '202403152460',
    '2024031510306',
    'yesterday',
    '0000',
    '20240315+0800',
    '20240315103000+2500',
  ])('%s is not a timestamp', (text) => expect(parseHl7DateTime(text)).toBeUndefined());
});

describe('charsets', () => {
  const gbMessage =
    'MSH|^~\\&|LIS|医院|HUB|Y|20240101||ORU^R01|1|P|2.4||||||GB 18030-2000\rOBX|1|ST|K^钾||偏高';

  it('reads MSH-18 from the raw bytes and decodes GB18030 frames', () => {
    const bytes = iconv.encode(gbMessage, 'gb18030');
    expect(declaredCharset(bytes)).toBe('gb18030');
    expect(decodeFrame(bytes)).toEqual({ text: gbMessage, charset: 'gb18030' });
    expect(encodeText('钾', 'gb18030')).toEqual(iconv.encode('钾', 'gb18030'));
  });

  it('takes valid UTF-8 as UTF-8 and other bytes without MSH-18 as the fallback set', () => {
    const noCharset = gbMessage.replace('GB 18030-2000', '');
    expect(decodeFrame(Buffer.from(noCharset, 'utf8'))).toEqual({ text: noCharset, charset: 'utf8' });
    expect(decodeFrame(iconv.encode(noCharset, 'gbk'))).toEqual({ text: noCharset, charset: 'gb18030' });
    expect(declaredCharset(Buffer.from('MSH|^~\\&|A|||||||||||||||UNICODE UTF-8'))).toBe('utf8');
    expect(declaredCharset(Buffer.from('MSH|^~\\&|A|||||||||||||||X-KLINGON'))).toBeUndefined();
    expect(declaredCharset(Buffer.from('garbage'))).toBeUndefined();
  });
});
