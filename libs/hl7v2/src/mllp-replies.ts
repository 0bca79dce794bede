/**
 * What the MLLP server answers by itself, without the handler: frames that are not HL7,
 * frames over the size limit, handler failures. It reads the MSH line only — enough for the
 * ACK and its mode — so a frame is never parsed twice.
 */
import type { IntakeOutcome } from './ack-mode';
import { buildAcks } from './ack';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import type { Hl7ParseResult } from './hl7-parse';
import { CR, FS, VT } from './mllp-frame-decoder';

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  payload.copy(out, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}

export const HANDLER_FAILED: Hl7Error = {
  segment: 'MSH',
  sequence: 1,
  code: HL7_ERROR.applicationInternal,
  message: 'the hub could not record the message; nothing was kept, send it again',
};

export function oversizeError(size: number, maxFrameBytes: number): Hl7Error {
  return {
    segment: 'MSH',
    sequence: 1,
    code: HL7_ERROR.applicationInternal,
    message: `message of ${size} bytes exceeds the limit of ${maxFrameBytes} bytes`,
  };
}

/** The ACKs for an outcome the server decided, in the mode the header asks for. */
export function serverAcks(
  header: Hl7ParseResult,
  text: string,
  outcome: IntakeOutcome,
  errors: readonly Hl7Error[],
  now: Date,
): string[] {
  return buildAcks(header.ok ? header.message : text, outcome, errors, { now });
}
