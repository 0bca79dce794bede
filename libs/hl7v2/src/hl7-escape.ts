/**
 * HL7 v2 escape sequences (v2.5 section 2.7): `\F\ \S\ \T\ \R\ \E\` for the delimiters,
 * `\.br\` line breaks in FT, `\Xhh..\` hexadecimal data; highlighting and character-set
 * switches are dropped. Unknown sequences are kept as sent.
 */
import type { Hl7Context } from '@medplum/core';

function decodeHex(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  return bytes.length * 2 === hex.length ? bytes.toString('utf8') : undefined;
}

function decodeSequence(seq: string, ctx: Hl7Context): string | undefined {
  switch (seq) {
    case 'F':
      return ctx.fieldSeparator;
    case 'S':
      return ctx.componentSeparator;
    case 'T':
      return ctx.subcomponentSeparator;
    case 'R':
      return ctx.repetitionSeparator;
    case 'E':
      return ctx.escapeCharacter;
    case 'H':
    case 'N':
    case '.br':
      return seq === '.br' ? '\n' : '';
    default:
      break;
  }
  const lead = seq.charAt(0);
  if (lead === 'X') return decodeHex(seq.slice(1));
  if (lead === 'C' || lead === 'M' || lead === 'Z') return '';
  if (lead === '.') return seq.startsWith('.sp') ? '\n' : '';
  return undefined;
}

/** The text an escaped HL7 value stands for. Fast path: no escape character, no work. */
export function unescapeHl7(value: string, ctx: Hl7Context): string {
  const esc = ctx.escapeCharacter;
  if (value.length < 3 || esc.length !== 1 || value.indexOf(esc) === -1) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    const end = start === -1 ? -1 : value.indexOf(esc, start + 1);
    if (end === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const decoded = decodeSequence(value.slice(start + 1, end), ctx);
    if (decoded === undefined) {
      // not a sequence we know: keep the first escape character and look again after it
      out += esc;
      i = start + 1;
    } else {
      out += decoded;
      i = end + 1;
    }
  }
  return out;
}

/** Text made safe to put in one HL7 field: delimiters escaped, line breaks as spaces. */
export function escapeHl7(text: string, ctx: Hl7Context): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === ctx.escapeCharacter) out += `${c}E${c}`;
    else if (c === ctx.fieldSeparator) out += `${ctx.escapeCharacter}F${ctx.escapeCharacter}`;
    else if (c === ctx.componentSeparator) out += `${ctx.escapeCharacter}S${ctx.escapeCharacter}`;
    else if (c === ctx.subcomponentSeparator) out += `${ctx.escapeCharacter}T${ctx.escapeCharacter}`;
    else if (c === ctx.repetitionSeparator) out += `${ctx.escapeCharacter}R${ctx.escapeCharacter}`;
    else if (c === '\r' || c === '\n') out += ' ';
    else out += c;
  }
  return out;
}
