/**
 * Kafka: topics, keys and headers. Events are published in CloudEvents 1.0 Kafka protocol
 * binding, binary content mode: the value is the event's `data` (JSON), the attributes travel
 * as `ce_*` headers, the key is the patient key (so one patient's events stay in order on one
 * partition), never an identifier in clear.
 */
import type { RecordedEvent } from './envelope';
import { formatPosition, SOURCE_PROTOCOLS, type SourceProtocol } from './envelope';

/** Topic per domain; the prefix lets several hubs (or test files) share a cluster. */
export const TOPICS = {
  results: 'yilian.results.v1',
  patients: 'yilian.patients.v1',
  referrals: 'yilian.referrals.v1',
  alliance: 'yilian.alliance.v1',
  recognition: 'yilian.recognition.v1',
} as const;
export type TopicName = keyof typeof TOPICS;

/** Suffix of the dead-letter topic a consumer group writes what it cannot handle to. */
export const DEAD_LETTER_SUFFIX = '.dlt';

const TOPIC_BY_STREAM_PREFIX: Record<string, TopicName> = {
  labreport: 'results',
  imaging: 'results',
  order: 'results',
  patient: 'patients',
  referral: 'referrals',
  institution: 'alliance',
  alliance: 'alliance',
  catalog: 'recognition',
  recognition: 'recognition',
};

export function topicForStream(stream: string, prefix = ''): string {
  const category = stream.split('-', 1)[0] ?? '';
  const name = TOPIC_BY_STREAM_PREFIX[category];
  if (!name) throw new Error(`no topic for stream category "${category}" (stream ${stream})`);
  return prefix + TOPICS[name];
}

export const CE_SPEC_VERSION = '1.0';
export const CE_SOURCE_PREFIX = 'urn:yilian:institution:';

/** Header names, CloudEvents Kafka binding (binary mode) plus our extensions
 * (lower-case alphanumerics only, as CloudEvents requires). */
export const HEADERS = {
  id: 'ce_id',
  specversion: 'ce_specversion',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  contentType: 'content-type',
  dataschema: 'ce_dataschema',
  stream: 'ce_stream',
  streamposition: 'ce_streamposition',
  position: 'ce_position',
  recordedtime: 'ce_recordedtime',
  patientkey: 'ce_patientkey',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  sourcemessageid: 'ce_sourcemessageid',
  sourceprotocol: 'ce_sourceprotocol',
  hash: 'ce_hash',
  previoushash: 'ce_previoushash',
  schemaversion: 'ce_schemaversion',
} as const;

/** The Kafka key: patient key where there is one, else the stream (keeps per-stream order). */
export function kafkaKey(event: RecordedEvent): string {
  return event.metadata.patientKey ?? event.stream;
}

export function toCloudEventHeaders(event: RecordedEvent): Record<string, string> {
  const h: Record<string, string> = {
    [HEADERS.id]: event.id,
    [HEADERS.specversion]: CE_SPEC_VERSION,
    [HEADERS.type]: `cn.yilian.${event.type}.v${event.schemaVersion}`,
    [HEADERS.source]: CE_SOURCE_PREFIX + event.metadata.source.institution,
    [HEADERS.subject]: event.stream,
    [HEADERS.time]: event.metadata.occurredAt,
    [HEADERS.contentType]: 'application/json',
    [HEADERS.dataschema]: `urn:yilian:schema:${event.type}:v${event.schemaVersion}`,
    [HEADERS.stream]: event.stream,
    [HEADERS.streamposition]: event.streamPosition.toString(),
    [HEADERS.position]: formatPosition(event.position),
    [HEADERS.recordedtime]: event.recordedAt,
    [HEADERS.correlationid]: event.metadata.correlationId,
    [HEADERS.sourcemessageid]: event.metadata.source.messageId,
    [HEADERS.sourceprotocol]: event.metadata.source.protocol,
    [HEADERS.hash]: event.hash,
    [HEADERS.schemaversion]: String(event.schemaVersion),
  };
  if (event.metadata.patientKey) h[HEADERS.patientkey] = event.metadata.patientKey;
  if (event.metadata.causationId) h[HEADERS.causationid] = event.metadata.causationId;
  if (event.previousHash) h[HEADERS.previoushash] = event.previousHash;
  return h;
}

export class MalformedCloudEventError extends Error {}

/** The inverse of toCloudEventHeaders: a consumer rebuilds the recorded event from the
 * headers and the JSON value. Throws MalformedCloudEventError naming what is missing. */
export function fromCloudEvent(headers: Record<string, string | undefined>, value: string): RecordedEvent {
  const need = (name: string): string => {
    const v = headers[name];
    if (v === undefined || v === '') throw new MalformedCloudEventError(`missing header ${name}`);
    return v;
  };
  const typeMatch = /^cn\.yilian\.([A-Za-z0-9]+)\.v(\d+)$/.exec(need(HEADERS.type));
  if (!typeMatch) throw new MalformedCloudEventError(`unexpected ${HEADERS.type}: ${headers[HEADERS.type]}`);
  const source = need(HEADERS.source);
  if (!source.startsWith(CE_SOURCE_PREFIX))
    throw new MalformedCloudEventError(`unexpected ce_source ${source}`);
  const position = /^(\d+)\/(\d+)$/.exec(need(HEADERS.position));
  if (!position) throw new MalformedCloudEventError(`${HEADERS.position} is not commit/prepare`);
  const streamPosition = need(HEADERS.streamposition);
  if (!/^\d+$/.test(streamPosition))
    throw new MalformedCloudEventError(`${HEADERS.streamposition} is not a number`);
  const protocol = need(HEADERS.sourceprotocol);
  if (!(SOURCE_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new MalformedCloudEventError(`unexpected ${HEADERS.sourceprotocol}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    // never quote the value: it may hold patient data
    throw new MalformedCloudEventError('value is not JSON');
  }
  const patientKey = headers[HEADERS.patientkey];
  const causationId = headers[HEADERS.causationid];
  return {
    id: need(HEADERS.id),
    type: typeMatch[1]!,
    schemaVersion: Number(typeMatch[2]),
    data,
    metadata: {
      source: {
        institution: source.slice(CE_SOURCE_PREFIX.length),
        messageId: need(HEADERS.sourcemessageid),
        protocol: protocol as SourceProtocol,
      },
      ...(patientKey ? { patientKey } : {}),
      correlationId: need(HEADERS.correlationid),
      ...(causationId ? { causationId } : {}),
      occurredAt: need(HEADERS.time),
    },
    stream: need(HEADERS.stream),
    streamPosition: BigInt(streamPosition),
    position: { commit: BigInt(position[1]!), prepare: BigInt(position[2]!) },
    recordedAt: need(HEADERS.recordedtime),
    hash: need(HEADERS.hash),
    previousHash: headers[HEADERS.previoushash] ?? null,
  };
}
