/**
 * Reads HL7 v2 text into a `@medplum/core` Hl7Message, with the checks the library leaves out:
 * the text starts with MSH, the encoding characters are usable (senders that send fewer than
 * four get the defaults for the missing ones), CR, LF and CRLF all end a segment, blank lines
 * are dropped.
 */
import { Hl7Context, Hl7Field, Hl7Message, Hl7Segment } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from './hl7-error';

export type Hl7ParseResult =
  | { readonly ok: true; readonly message: Hl7Message }
  | { readonly ok: false; readonly errors: readonly Hl7Error[] };

const SEGMENT_BREAK = /\r\n|\r|\n/;
const LINE_BREAK = /[\r\n]/;
const LEADING_BLANKS = /^[\s\uFEFF]+/;
const DEFAULT_ENCODING = ['^', '~', '\\', '&'] as const;
/** Stand-in for an encoding character the sender left out and whose default is taken. */
const UNUSED_SEPARATOR = ['\u0001', '\u0002', '\u0003', '\u0004'] as const;

function isUsableSeparator(c: string): boolean {
  const code = c.charCodeAt(0);
  // printable ASCII punctuation only: not a letter, digit, space or line break
  return (
    c.length === 1 &&
    code > 32 &&
    code < 127 &&
    !(code >= 48 && code <= 57) &&
    !(code >= 65 && code <= 90) &&
    !(code >= 97 && code <= 122)
  );
}

function mshError(field: number, code: number, message: string): Hl7ParseResult {
  return { ok: false, errors: [{ segment: 'MSH', sequence: 1, field, code, message }] };
}

/** Index of the first character that is not white space or a byte-order mark. */
function contentStart(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0xfeff && c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function contextFor(fieldSeparator: string, encoding: string): Hl7Context | undefined {
  const chars: string[] = [];
  for (let i = 0; i < 4; i++) {
    const given = encoding[i];
    if (given !== undefined) {
      if (!isUsableSeparator(given) || given === fieldSeparator || chars.includes(given)) return undefined;
      chars.push(given);
    } else {
      const fallback = DEFAULT_ENCODING[i]!;
      const taken = fallback === fieldSeparator || chars.includes(fallback) || encoding.includes(fallback);
      chars.push(taken ? UNUSED_SEPARATOR[i]! : fallback);
    }
  }
  return new Hl7Context('\r', fieldSeparator, chars[0], chars[1], chars[2], chars[3]);
}

/**
 * A `@medplum/core` field that splits its text into repetitions and components when first
 * read. `Hl7Segment.parse` splits every field of the message up front; the lab mapper reads
 * ≈170 of the 319 fields of a 15-OBX ORU^R01, most of them one value with nothing to split
 * (`parseHl7` 245 → 31–42 µs, parse + map 276 → 138–145 µs: bench:intake). Everything else is the
 * library's own field: `getComponent`, `toString`, `setComponent` read and change the same
 * components.
 */
class LazyHl7Field extends Hl7Field {
  private readonly text: string;
  private parsed: string[][] | undefined;

  constructor(text: string, context: Hl7Context) {
    super(PENDING, context);
    this.text = text;
  }

  /** The field as the sender wrote it (what `toString()` gives once parsed). */
  toString(): string {
    return this.parsed === undefined ? this.text : super.toString();
  }
}
const PENDING: string[][] = [];
// The library's constructor assigns `components`; on this class the property is an accessor
// over the text (defined here: TypeScript does not let a subclass turn a property into one).
Object.defineProperty(LazyHl7Field.prototype, 'components', {
  get(this: { text: string; parsed?: string[][]; context: Hl7Context }) {
    if (this.parsed === undefined) {
      const { repetitionSeparator: rep, componentSeparator: comp } = this.context;
      const text = this.text;
      // most fields are one value ("3.1", "mmol/L", "F"): no split, no callback
      this.parsed =
        !text.includes(comp) && !text.includes(rep) ? [[text]] : text.split(rep).map((r) => r.split(comp));
    }
    return this.parsed;
  },
  set(this: { parsed?: string[][] }, value: string[][]) {
    if (value !== PENDING) this.parsed = value;
  },
});

function parseSegment(line: string, context: Hl7Context): Hl7Segment {
  return new Hl7Segment(
    line.split(context.fieldSeparator).map((text) => new LazyHl7Field(text, context)),
    context,
  );
}

/** Parses HL7 v2 text. Never throws; what cannot be read is an error located in MSH. */
export function parseHl7(input: string): Hl7ParseResult {
  if (typeof input !== 'string') return mshError(1, HL7_ERROR.segmentSequence, 'no message text');
  const start = contentStart(input);
  const text = start === 0 ? input : input.slice(start);
  if (!text.startsWith('MSH')) {
    return mshError(1, HL7_ERROR.segmentSequence, 'the message does not start with an MSH segment');
  }
  const fieldSeparator = text.charAt(3);
  if (!isUsableSeparator(fieldSeparator)) {
    return mshError(1, HL7_ERROR.dataType, 'MSH-1 (field separator) is missing or not a separator character');
  }
  let encodingEnd = text.indexOf(fieldSeparator, 4);
  const lineEnd = text.search(SEGMENT_BREAK);
  if (encodingEnd === -1 || (lineEnd !== -1 && lineEnd < encodingEnd)) encodingEnd = lineEnd;
  const encoding = text.slice(4, encodingEnd === -1 ? undefined : encodingEnd);
  // v2.7 adds a fifth (truncation) character: read and ignored
  const context = encoding.length > 5 ? undefined : contextFor(fieldSeparator, encoding.slice(0, 4));
  if (!context || encoding.length === 0) {
    return mshError(
      2,
      HL7_ERROR.dataType,
      'MSH-2 (encoding characters) must be four distinct separator characters',
    );
  }
  const lines = text.split(SEGMENT_BREAK);
  const segments: Hl7Segment[] = [];
  for (const line of lines) {
    if (line.length === 0 || line.trim().length === 0) continue;
    segments.push(parseSegment(line, context));
  }
  return { ok: true, message: new Hl7Message(segments, context) };
}

/** The message header alone (its first segment; in a batch, its first message's): what an ACK
 * needs, at a fraction of the cost of the whole message. */
export function parseHl7Header(text: string): Hl7ParseResult {
  if (typeof text !== 'string') return parseHl7(text);
  let trimmed = text.replace(LEADING_BLANKS, '');
  // a batch (FHS / BHS first): the header of its first message
  if (trimmed.startsWith('FHS') || trimmed.startsWith('BHS')) {
    const msh = trimmed.search(/[\r\n]MSH/);
    if (msh !== -1) trimmed = trimmed.slice(msh).replace(LEADING_BLANKS, '');
  }
  const end = trimmed.search(LINE_BREAK);
  return parseHl7(end === -1 ? trimmed : trimmed.slice(0, end));
}

const BATCH_ENVELOPE = /^(FHS|BHS|BTS|FTS)$/;

/**
 * HL7 batch protocol (v2 chapter 2, "Batch protocol": [FHS] { [BHS] { MSH … } [BTS] } [FTS]):
 * the messages of a frame that holds a batch envelope, the envelope segments dropped; undefined
 * when the text does not start with FHS or BHS (an ordinary message).
 */
export function batchMessages(text: string): string[] | undefined {
  if (typeof text !== 'string') return undefined;
  const start = contentStart(text);
  const head = text.slice(start, start + 3);
  if (head !== 'FHS' && head !== 'BHS') return undefined;
  const messages: string[][] = [];
  for (const line of text.slice(start).split(SEGMENT_BREAK)) {
    if (line.trim().length === 0) continue;
    const name = line.slice(0, 3);
    if (BATCH_ENVELOPE.test(name) && (line.length === 3 || !/[A-Z0-9]/.test(line.charAt(3)))) continue;
    if (name === 'MSH') messages.push([line]);
    else messages[messages.length - 1]?.push(line);
  }
  return messages.map((m) => m.join('\r'));
}
