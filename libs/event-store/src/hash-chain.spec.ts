import type { NewEvent } from '@yilian/contracts';
import { canonicalJson, contentHash, serializeEvent } from './hash-chain';

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
      expect(serialized.data).toBe(canonicalJson(e.data));
      expect(serialized.metadata).toBe(canonicalJson(e.metadata));
      expect(JSON.parse(serialized.data)).toEqual(JSON.parse(JSON.stringify(e.data)));
    }
  });

  it('leaves out undefined keys as canonical JSON does', () => {
    const e = { ...event(), metadata: undefined } as unknown as NewEvent;
    expect(serializeEvent('s', e).contentHash).toBe(contentHash('s', e));
  });
});
