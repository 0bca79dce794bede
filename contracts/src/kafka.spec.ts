import type { RecordedEvent } from './envelope';
import {
  fromCloudEvent,
  HEADERS,
  kafkaKey,
  MalformedCloudEventError,
  toCloudEventHeaders,
  topicForStream,
} from './kafka';

const event: RecordedEvent = {
  id: '0b3f4c1e-8a7d-8c1e-9f00-0123456789ab',
  type: 'LabReportRecorded',
  schemaVersion: 1,
  data: { report: { resourceType: 'DiagnosticReport' } },
  metadata: {
    source: { institution: 'H001', messageId: 'MSG-1', protocol: 'hl7v2' },
    patientKey: 'pk_abcdefghijklmnopqrstuvwxyz',
    correlationId: 'c-1',
    occurredAt: '2026-11-23T09:00:00+08:00',
  },
  stream: 'labreport-H001-A1',
  streamPosition: 2n,
  position: { commit: 1234n, prepare: 99n },
  recordedAt: '2026-11-23T01:00:01.000Z',
  hash: 'ab'.repeat(32),
  previousHash: 'cd'.repeat(32),
};

describe('CloudEvents Kafka binding (binary mode)', () => {
  it('round-trips a recorded event through headers and value', () => {
    const headers = toCloudEventHeaders(event);
    expect(headers[HEADERS.type]).toBe('cn.yilian.LabReportRecorded.v1');
    expect(headers[HEADERS.source]).toBe('urn:yilian:institution:H001');
    expect(fromCloudEvent(headers, JSON.stringify(event.data))).toEqual(event);
  });

  it('keys by patient key and routes by stream category', () => {
    expect(kafkaKey(event)).toBe('pk_abcdefghijklmnopqrstuvwxyz');
    expect(topicForStream('labreport-H001-A1', 'p.')).toBe('p.yilian.results.v1');
    expect(topicForStream('referral-123')).toBe('yilian.referrals.v1');
    expect(() => topicForStream('nonsense-1')).toThrow(/no topic/);
  });

  it.each([
    [HEADERS.position, '12'],
    [HEADERS.streamposition, 'two'],
    [HEADERS.sourceprotocol, 'smtp'],
    [HEADERS.id, ''],
  ])('refuses a malformed %s header as MalformedCloudEventError', (name, value) => {
    const headers = { ...toCloudEventHeaders(event), [name]: value };
    expect(() => fromCloudEvent(headers, '{}')).toThrow(MalformedCloudEventError);
  });

  it('refuses a value that is not JSON without quoting it', () => {
    expect(() => fromCloudEvent(toCloudEventHeaders(event), '王小明 11010519491231002X')).toThrow(
      new MalformedCloudEventError('value is not JSON'),
    );
  });
});
