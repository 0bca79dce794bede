import type { NewEvent } from '@yilian/contracts';
import { contentHash, encodeEvent, envelopeHash, serializeEvent, sha256Hex } from './hash-chain';

const event = (over: Partial<NewEvent> = {}): NewEvent => ({
  id: '0b7c6f1e-2d3a-8c4b-9e5f-0a1b2c3d4e5f',
  type: 'LabReportRecorded',
  schemaVersion: 1,
  data: { z: [1, 'two', { b: null, a: 'é\u2028"' }], a: { y: 2.5, x: -0 }, '10': true, '9': false },
  metadata: {
    source: { messageId: 'M1', institution: 'H001', protocol: 'hl7v2' },
    correlationId: 'c',
    patientKey: 'k',
    occurredAt: '2024-01-01T00:00:00Z',
  },
  ...over,
});

describe('serializeEvent', () => {
  it('gives the content hash of contentHash, from the texts it returns', () => {
    for (const e of [event(), event({ data: [], schemaVersion: 2, type: 'x"y' }), event({ data: 'text' })]) {
      const serialized = serializeEvent('lab-report-H001-A1', e);
      expect(serialized.contentHash).toBe(contentHash('lab-report-H001-A1', e));
      expect(serialized.data).toBe(JSON.stringify(e.data));
      expect(serialized.metadata).toBe(JSON.stringify(e.metadata));
      // what an auditor reads back hashes the same: the stored text round-trips
      const readBack = { ...e, data: JSON.parse(serialized.data), metadata: JSON.parse(serialized.metadata) };
      expect(contentHash('lab-report-H001-A1', readBack)).toBe(serialized.contentHash);
    }
  });

  it('hashes what was recorded: undefined keys left out, any change of content a new hash', () => {
    const e = { ...event(), data: { a: 1, gone: undefined } } as unknown as NewEvent;
    expect(serializeEvent('s', e).contentHash).toBe(contentHash('s', { ...e, data: { a: 1 } }));
    expect(contentHash('s', { ...e, data: { a: 2 } })).not.toBe(contentHash('s', e));
    expect(contentHash('t', e)).not.toBe(contentHash('s', e));
    expect(contentHash('s', { ...e, type: 'Other' })).not.toBe(contentHash('s', e));
  });
});

describe('encodeEvent', () => {
  it("gives the UTF-8 bytes of serializeEvent's texts and the same content hash, small or large", () => {
    const large = event({
      data: { items: Array.from({ length: 400 }, (_, i) => ({ i, name: `钾 ${i} é\u2028😀` })) },
    });
    for (const e of [event(), large, event({ data: 'text' }), event({ data: [] })]) {
      const encoded = encodeEvent('lab-report-H001-A1', e);
      const serialized = serializeEvent('lab-report-H001-A1', e);
      expect(encoded.data.equals(Buffer.from(serialized.data, 'utf8'))).toBe(true);
      expect(encoded.metadata.equals(Buffer.from(serialized.metadata, 'utf8'))).toBe(true);
      expect(encoded.contentHash).toBe(serialized.contentHash);
    }
    // the scratch room it encodes in is reused: an earlier event's bytes stay its own
    const first = encodeEvent('s', large);
    const copy = Buffer.from(first.data);
    encodeEvent('s', event({ data: { other: 'x'.repeat(5000) } }));
    expect(first.data.equals(copy)).toBe(true);
  });
});

describe('envelopeHash', () => {
  it('is sha256 of the whole envelope text, from texts or from their bytes', () => {
    const data = JSON.stringify({ a: '钾', b: [1, 2] });
    const metadata = JSON.stringify({ correlationId: 'c' });
    const whole = sha256Hex(
      `{"id":"i","type":"T","schemaVersion":2,"stream":"s-1","data":${data},"metadata":${metadata}}`,
    );
    expect(envelopeHash('i', 'T', 2, 's-1', data, metadata)).toBe(whole);
    expect(envelopeHash('i', 'T', 2, 's-1', Buffer.from(data), Buffer.from(metadata))).toBe(whole);
  });
});
