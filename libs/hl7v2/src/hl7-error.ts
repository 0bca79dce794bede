/**
 * An error in an HL7 v2 message, located the way ERR-2 (ERL) locates it, with its HL7 error
 * code (table 0357). Messages never repeat patient identifiers: they end up in ACKs and logs.
 */
export interface Hl7Error {
  /** Segment id, e.g. `OBX`; `MSH` for errors about the message as a whole. */
  readonly segment: string;
  /** 1-based occurrence of that segment in the message (the 2nd OBX of the message is 2). */
  readonly sequence?: number;
  /** 1-based field position (MSH-1 is the field separator). */
  readonly field?: number;
  /** 1-based repetition of the field. */
  readonly repetition?: number;
  /** 1-based component. */
  readonly component?: number;
  /** HL7 table 0357 code. */
  readonly code: number;
  /** Readable, for the sender's interface engineer (ERR-8). */
  readonly message: string;
}

/** HL7 table 0357 (message error condition codes), the ones the hub uses. */
export const HL7_ERROR = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataType: 102,
  tableValueNotFound: 103,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  unsupportedProcessingId: 202,
  unsupportedVersionId: 203,
  duplicateKey: 205,
  applicationInternal: 207,
} as const;

const ERROR_TEXT: Readonly<Record<number, string>> = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

/** The table 0357 text of a code (ERR-3.2). */
export function hl7ErrorText(code: number): string {
  return ERROR_TEXT[code] ?? 'Application internal error';
}

/** Where an error is, as people write it: `OBX[3]-5.2` (segment[occurrence]-field.component). */
export function formatErrorLocation(error: Hl7Error): string {
  let out = error.segment;
  if (error.sequence !== undefined) out += `[${error.sequence}]`;
  if (error.field !== undefined) out += `-${error.field}`;
  if (error.repetition !== undefined && error.repetition > 1) out += `(${error.repetition})`;
  if (error.component !== undefined) out += `.${error.component}`;
  return out;
}

/** Where a value sits in a message: what a mapper carries around to name its errors. */
export interface Hl7Location {
  readonly segment: string;
  readonly sequence: number;
  readonly field?: number;
  readonly repetition?: number;
  readonly component?: number;
}

export function errorAt(at: Hl7Location, code: number, message: string): Hl7Error {
  return { ...at, code, message };
}

/** A mapper's own defect, not the sender's: 207 tells the sender to resend once it is fixed. */
export const MAPPING_DEFECT: Hl7Error = {
  segment: 'MSH',
  sequence: 1,
  code: HL7_ERROR.applicationInternal,
  message: 'the hub failed to map this message',
};
