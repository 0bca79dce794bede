/**
 * Character sets of MLLP frames. MSH-18 (table 0211) names the set when a sender says; most
 * send UTF-8 and say nothing. Rules, in order:
 * 1. MSH-18 names a set we know → that set (`UNICODE UTF-8`, `ASCII` → UTF-8; `GB 18030-2000`,
 *    and the GBK / GB2312 that Chinese LIS put there → GB18030, a superset; `BIG-5`; `8859/1`).
 * 2. Otherwise the bytes are valid UTF-8 → UTF-8.
 * 3. Otherwise the fallback set (default GB18030: Chinese LIS that send GBK without MSH-18).
 * ACKs go back in the set the message came in. Non-UTF-8 sets use iconv-lite.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type Charset = 'utf8' | 'gb18030' | 'big5' | 'latin1';

const BY_MSH18: Readonly<Record<string, Charset>> = {
  UNICODEUTF8: 'utf8',
  UTF8: 'utf8',
  UNICODE: 'utf8',
  ASCII: 'utf8',
  GB180302000: 'gb18030',
  GB18030: 'gb18030',
  GBK: 'gb18030',
  GB2312: 'gb18030',
  CP936: 'gb18030',
  BIG5: 'big5',
  '8859/1': 'latin1',
  ISO88591: 'latin1',
};

const CR = 0x0d;
const LF = 0x0a;
const MSH_LINE_MAX = 2048;

/** The charset MSH-18 declares, read from the raw bytes of the first line; undefined when
 * absent or unknown. */
export function declaredCharset(frame: Buffer): Charset | undefined {
  if (frame.length < 9 || frame[0] !== 0x4d || frame[1] !== 0x53 || frame[2] !== 0x48) return undefined;
  let end = frame.indexOf(CR);
  const lf = frame.indexOf(LF);
  if (end === -1 || (lf !== -1 && lf < end)) end = lf;
  if (end === -1) end = frame.length;
  const line = frame.toString('latin1', 0, Math.min(end, MSH_LINE_MAX));
  const fs = line.charAt(3);
  let from = 0;
  // MSH-18 is the 18th field; the field separator itself is MSH-1
  for (let field = 1; field < 18; field++) {
    from = line.indexOf(fs, from) + 1;
    if (from === 0) return undefined;
  }
  const to = line.indexOf(fs, from);
  const value = line.slice(from, to === -1 ? undefined : to);
  const first = value.split(line.charAt(5))[0]!.split(line.charAt(4))[0]!;
  const key = first.toUpperCase().replace(/[\s_-]/g, '');
  return key ? BY_MSH18[key] : undefined;
}

/** Decodes a frame and says which charset it used. */
export function decodeFrame(
  frame: Buffer,
  fallback: Charset = 'gb18030',
): { text: string; charset: Charset } {
  const declared = declaredCharset(frame);
  const charset = declared ?? (isUtf8(frame) ? 'utf8' : fallback);
  return { text: decodeText(frame, charset), charset };
}

/** Decodes bytes in a charset the sender named (MSH-18, or an HTTP Content-Type). */
export function decodeText(bytes: Buffer, charset: Charset): string {
  return charset === 'utf8' || charset === 'latin1' ? bytes.toString(charset) : iconv.decode(bytes, charset);
}

export function encodeText(text: string, charset: Charset): Buffer {
  return charset === 'utf8' || charset === 'latin1'
    ? Buffer.from(text, charset)
    : iconv.encode(text, charset);
}
