/**
 * What a message is (MSH-9), in which version (MSH-12), and whether the hub takes it. An
 * unsupported type is answered AR with code 200 (201 for a known type with an unknown
 * trigger event), an unsupported version AR with 203.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { textComponent } from './hl7-fields';
import { parseHl7 } from './hl7-parse';
import { type Hl7Version, readVersion } from './hl7-version';

export { SUPPORTED_VERSIONS, type Hl7Version } from './hl7-version';

/** The message types member systems send (DOMAIN.md); intake answers AR 200 for a known type
 * it does not map on that port. */
export const KNOWN_MESSAGE_TYPES = [
  'ORU^R01',
  'OUL^R21',
  'OUL^R22',
  'OUL^R23',
  'OUL^R24',
  'OMG^O19',
  'OML^O21',
  'ORM^O01',
  'REF^I12',
  'REF^I13',
  'REF^I14',
  'REF^I15',
  'RRI^I12',
  'MDM^T01',
  'MDM^T02',
  'MDM^T03',
  'MDM^T04',
  'MDM^T05',
  'MDM^T06',
  'MDM^T07',
  'MDM^T08',
  'MDM^T09',
  'MDM^T10',
  'MDM^T11',
  'ADT^A01',
  'ADT^A02',
  'ADT^A03',
  'ADT^A04',
  'ADT^A05',
  'ADT^A06',
  'ADT^A07',
  'ADT^A08',
  'ADT^A28',
  'ADT^A31',
  // every ADT event's PID is its patient (adt.mapper UPDATES)
  'ADT^A09',
  'ADT^A10',
  'ADT^A11',
  'ADT^A12',
  'ADT^A13',
  'ADT^A14',
  'ADT^A15',
  'ADT^A16',
  'ADT^A25',
  'ADT^A26',
  'ADT^A27',
  'ADT^A45',
  'ADT^A60',
  'ADT^A40',
  'ADT^A41',
  'ADT^A42',
  'ADT^A47',
  'ADT^A37',
  'OMI^O23',
] as const;
export type KnownMessageType = (typeof KNOWN_MESSAGE_TYPES)[number];

const KNOWN_TYPES: ReadonlySet<string> = new Set(KNOWN_MESSAGE_TYPES);
const KNOWN_CODES: ReadonlySet<string> = new Set(KNOWN_MESSAGE_TYPES.map((t) => t.slice(0, 3)));
const PROCESSING_IDS: ReadonlySet<string> = new Set(['P', 'T', 'D']);

export interface MessageClass {
  readonly ok: true;
  readonly type: KnownMessageType;
  /** The version the message is read as: MSH-12.1, or for a version the hub has never seen
   * (2.10) the highest known one below it. */
  readonly version: Hl7Version;
  /** MSH-10: with the institution, identifies the message for idempotent intake. */
  readonly controlId: string;
  /** MSH-11: P production, T training, D debugging. */
  readonly processingId: 'P' | 'T' | 'D';
}

export type MessageClassification =
  MessageClass | { readonly ok: false; readonly errors: readonly Hl7Error[]; readonly controlId?: string };

function at(field: number, component: number | undefined, code: number, message: string): Hl7Error {
  return { segment: 'MSH', sequence: 1, field, ...(component ? { component } : {}), code, message };
}

/** Classifies a parsed message (or raw text, parsed first). Never throws. */
export function classifyMessage(input: Hl7Message | string): MessageClassification {
  let message: Hl7Message;
  if (typeof input === 'string') {
    const parsed = parseHl7(input);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    message = parsed.message;
  } else {
    message = input;
  }
  const msh = message.segments[0];
  if (!msh || msh.name !== 'MSH') {
    return {
      ok: false,
      errors: [at(1, undefined, HL7_ERROR.segmentSequence, 'the first segment is not MSH')],
    };
  }
  const errors: Hl7Error[] = [];
  const code = textComponent(msh, 9, 1).toUpperCase();
  const event = textComponent(msh, 9, 2).toUpperCase();
  const type = `${code}^${event}`;
  if (!code) errors.push(at(9, 1, HL7_ERROR.requiredFieldMissing, 'MSH-9 (message type) is missing'));
  else if (!KNOWN_CODES.has(code)) {
    errors.push(at(9, 1, HL7_ERROR.unsupportedMessageType, `message type ${code} is not supported`));
  } else if (!KNOWN_TYPES.has(type)) {
    errors.push(
      at(
        9,
        2,
        HL7_ERROR.unsupportedEventCode,
        `trigger event ${event || '(none)'} of ${code} is not supported`,
      ),
    );
  }
  const sentVersion = textComponent(msh, 12, 1);
  const version = readVersion(sentVersion);
  if (!sentVersion) errors.push(at(12, 1, HL7_ERROR.requiredFieldMissing, 'MSH-12 (version) is missing'));
  else if (!version) {
    const text = `version ${sentVersion.slice(0, 12)} is not supported (2.3 and later)`;
    errors.push(at(12, 1, HL7_ERROR.unsupportedVersionId, text));
  }
  const controlId = textComponent(msh, 10, 1);
  if (!controlId)
    errors.push(at(10, undefined, HL7_ERROR.requiredFieldMissing, 'MSH-10 (message control id) is missing'));
  const processingId = textComponent(msh, 11, 1).toUpperCase();
  if (!processingId)
    errors.push(at(11, 1, HL7_ERROR.requiredFieldMissing, 'MSH-11 (processing id) is missing'));
  else if (!PROCESSING_IDS.has(processingId)) {
    errors.push(
      at(11, 1, HL7_ERROR.unsupportedProcessingId, `processing id ${processingId} is not P, T or D`),
    );
  }
  if (errors.length > 0 || !version) return { ok: false, errors, ...(controlId ? { controlId } : {}) };
  return {
    ok: true,
    type: type as KnownMessageType,
    version,
    controlId,
    processingId: processingId as 'P' | 'T' | 'D',
  };
}
