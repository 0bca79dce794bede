/**
 * HL7 v2.5.1-style ACK: MSH with sender and receiver swapped, the original's version and
 * separators; MSA (code, original MSH-10, text); one ERR per error: ERR-2 location
 * (segment^sequence^field^repetition^component), ERR-3 table 0357 code, ERR-4 severity E,
 * ERR-8 readable message. For originals before v2.5, ERR-1 (ELD) carries the same location
 * and code, since those receivers only know ERR-1. Never throws, whatever the original.
 *
 * MSH-9 is `ACK^<trigger>^ACK`, unless the original's type has its own application response
 * (`responseType`, e.g. ORI^O24 to an OMI^O23): then an application acknowledgement (AA / AE /
 * AR) is that message, with the same MSA and ERR; a commit acknowledgement (CA / CE / CR) is
 * always a plain ACK (HL7 v2.5 chapter 2, enhanced acknowledgement mode).
 */
import { Hl7Context, type Hl7Message, type Hl7Segment } from '@medplum/core';
import { acknowledgementCodes, ackModeFor, type AckCode, type IntakeOutcome } from './ack-mode';
import { hl7ErrorText, type Hl7Error } from './hl7-error';
import { escapeHl7 } from './hl7-escape';
import { fieldOf, repetitionText, textComponent } from './hl7-fields';
import { parseHl7Header } from './hl7-parse';

export interface AckOptions {
  /** When the ACK is made (MSH-7). */
  readonly now: Date;
  /** MSH-10 of the ACK. Default: the ACK code then the original control id, so the same
   * message acknowledged twice gets the same control id. */
  readonly controlId?: string;
  /** Offset of MSH-7 from UTC, minutes. Default 480 (China Standard Time). */
  readonly utcOffsetMinutes?: number;
  /** MSA-3. Default: the first error's message, else empty. */
  readonly text?: string;
  /** MSH-9 of an application acknowledgement (AA / AE / AR) when the original's type has its
   * own response message (`applicationResponseType`); ignored for CA / CE / CR. */
  readonly responseType?: ResponseMessageType;
}

/** A message type as MSH-9 carries it: code, trigger event, structure. */
export type ResponseMessageType = readonly [code: string, trigger: string, structure: string];

/** The application responses HL7 v2.5 defines for the orders the hub takes (chapter 4):
 * ORI^O24 to OMI^O23 (imaging order), ORR^O02 to ORM^O01 (general order), ORL^O22 to OML^O21
 * (lab order), ORG^O20 to OMG^O19 (general clinical order). Every other message
 * the hub takes is answered with ACK. */
const APPLICATION_RESPONSES: Readonly<Record<string, ResponseMessageType>> = {
  'OMI^O23': ['ORI', 'O24', 'ORI_O24'],
  'ORM^O01': ['ORR', 'O02', 'ORR_O02'],
  'OML^O21': ['ORL', 'O22', 'ORL_O22'],
  'OMG^O19': ['ORG', 'O20', 'ORG_O20'],
};

/** The application response to an original (by its MSH-9); undefined when it is a plain ACK. */
export function applicationResponseType(original: Hl7Message | string): ResponseMessageType | undefined {
  const message = originalMessage(original);
  const msh = message?.segments[0]?.name === 'MSH' ? message.segments[0] : undefined;
  if (!msh) return undefined;
  return APPLICATION_RESPONSES[`${textComponent(msh, 9, 1)}^${textComponent(msh, 9, 2)}`.toUpperCase()];
}

const DEFAULT_CONTEXT = new Hl7Context();
const MSA_TEXT_MAX = 80;
const APPLICATION_ACK_CODES: ReadonlySet<AckCode> = new Set(['AA', 'AE', 'AR']);
const OLD_VERSIONS: ReadonlySet<string> = new Set(['2.1', '2.2', '2.3', '2.3.1', '2.4']);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** HL7 TS with seconds and offset, e.g. 20240315103000+0800. */
export function formatHl7Timestamp(now: Date, utcOffsetMinutes = 480): string {
  const t = Number.isFinite(now.getTime()) ? now.getTime() : 0;
  const local = new Date(t + utcOffsetMinutes * 60_000);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return (
    `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}` +
    `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** A field of the original, as sent (escaped with the original's separators). */
function rawField(msh: Hl7Segment | undefined, n: number): string {
  const field = msh ? fieldOf(msh, n) : undefined;
  return field ? field.toString() : '';
}

function encodingCharacters(ctx: Hl7Context): string {
  let out = '';
  for (const c of ctx.getMsh2()) if (c.charCodeAt(0) > 32) out += c;
  return out;
}

/** Components joined, trailing empty ones dropped. */
function components(values: readonly (string | number | undefined)[], sep: string): string {
  let last = values.length - 1;
  while (last >= 0 && (values[last] === undefined || values[last] === '')) last--;
  return values
    .slice(0, last + 1)
    .map((v) => (v === undefined ? '' : String(v)))
    .join(sep);
}

function errSegment(error: Hl7Error, ctx: Hl7Context, old: boolean): string {
  const fs = ctx.fieldSeparator;
  const cs = ctx.componentSeparator;
  const segment = escapeHl7(String(error.segment ?? ''), ctx);
  const code = Number.isInteger(error.code) ? error.code : 207;
  const codeText = escapeHl7(hl7ErrorText(code), ctx);
  const location = components([segment, error.sequence, error.field, error.repetition, error.component], cs);
  const eld = old
    ? components(
        [
          segment,
          error.sequence,
          error.field,
          `${code}${ctx.subcomponentSeparator}${codeText}${ctx.subcomponentSeparator}HL70357`,
        ],
        cs,
      )
    : '';
  const message = escapeHl7(String(error.message ?? ''), ctx);
  return ['ERR', eld, location, `${code}${cs}${codeText}${cs}HL70357`, 'E', '', '', '', message].join(fs);
}

/** The original, or for raw text its MSH alone: an ACK needs nothing else. */
function originalMessage(original: Hl7Message | string): Hl7Message | undefined {
  if (typeof original !== 'string') return original;
  const parsed = parseHl7Header(original);
  return parsed.ok ? parsed.message : undefined;
}

/** The ACK text (segments ended by CR) for an original message or raw text. */
export function buildAck(
  original: Hl7Message | string,
  code: AckCode,
  errors: readonly Hl7Error[],
  opts: AckOptions,
): string {
  const message = originalMessage(original);
  const first = message?.segments[0];
  const msh = first?.name === 'MSH' ? first : undefined;
  const ctx = message?.context ?? DEFAULT_CONTEXT;
  const fs = ctx.fieldSeparator;
  const originalControlId = rawField(msh, 10);
  const trigger = msh ? textComponent(msh, 9, 2) : '';
  const version = rawField(msh, 12);
  const originalText = msh ? repetitionText(msh, 10).trim() : '';
  const controlId = opts.controlId ?? `${code}${originalText || String(opts.now.getTime())}`;
  const cs = ctx.componentSeparator;
  const response = APPLICATION_ACK_CODES.has(code) ? opts.responseType : undefined;
  const messageType = response
    ? response.map((c) => escapeHl7(c, ctx)).join(cs)
    : trigger
      ? `ACK${cs}${escapeHl7(trigger, ctx)}${cs}ACK`
      : 'ACK';
  const header = [
    'MSH',
    encodingCharacters(ctx),
    rawField(msh, 5),
    rawField(msh, 6),
    rawField(msh, 3),
    rawField(msh, 4),
    formatHl7Timestamp(opts.now, opts.utcOffsetMinutes),
    '',
    messageType,
    escapeHl7(controlId, ctx),
    rawField(msh, 11) || 'P',
    version || '2.5.1',
  ];
  const charset = rawField(msh, 18);
  if (charset) header.push('', '', '', '', '', charset);
  const text = (opts.text ?? errors[0]?.message ?? '').slice(0, MSA_TEXT_MAX);
  const lines = [header.join(fs), ['MSA', code, originalControlId, escapeHl7(text, ctx)].join(fs)];
  const old = OLD_VERSIONS.has(msh ? textComponent(msh, 12, 1) : '');
  for (const error of errors) lines.push(errSegment(error, ctx, old));
  return lines.join('\r') + '\r';
}

/**
 * Every ACK an outcome calls for, in the mode the original asks for (MSH-15 / MSH-16), in
 * sending order: what intake returns to the MLLP server once the append is durable (or the
 * message refused). Possibly none (MSH-15 and MSH-16 both NE).
 */
export function buildAcks(
  original: Hl7Message | string,
  outcome: IntakeOutcome,
  errors: readonly Hl7Error[],
  opts: Omit<AckOptions, 'controlId'>,
): string[] {
  const message = originalMessage(original);
  const msh = message?.segments[0]?.name === 'MSH' ? message.segments[0] : undefined;
  const mode = ackModeFor(msh ? textComponent(msh, 15) : '', msh ? textComponent(msh, 16) : '');
  return acknowledgementCodes(mode, outcome).map((code) => buildAck(message ?? original, code, errors, opts));
}
