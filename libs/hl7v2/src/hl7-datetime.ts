/**
 * HL7 v2 DT / TS / DTM → FHIR date, dateTime and instant, keeping the precision sent.
 * A time without an offset is local time at the sender: it gets the default offset
 * (China Standard Time, +08:00, unless the caller says otherwise), it is not converted.
 * Also read, being unambiguous: `YYYY-MM-DD[ HH:MM[:SS]]`, which some LIS send.
 */

const HL7_TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;
const DASHED_TS = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export const CHINA_STANDARD_TIME = '+08:00';

export interface FhirDateTimeParts {
  /** FHIR `date`: YYYY, YYYY-MM or YYYY-MM-DD. */
  readonly date: string;
  /** FHIR `dateTime`: the date alone, or with time, seconds and offset. */
  readonly dateTime: string;
  /** FHIR `instant` when the time is given (to the minute at least); else undefined. */
  readonly instant?: string;
}

function daysIn(year: number, month: number): number {
  return month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;
}

function inRange(text: string | undefined, min: number, max: number): boolean {
  if (text === undefined) return true;
  const n = Number(text);
  return n >= min && n <= max;
}

function offsetOf(hl7Offset: string | undefined, fallback: string): string | undefined {
  if (hl7Offset === undefined) return fallback;
  const hours = Number(hl7Offset.slice(1, 3));
  const minutes = Number(hl7Offset.slice(3, 5));
  if (hours > 14 || minutes > 59) return undefined;
  return `${hl7Offset.slice(0, 3)}:${hl7Offset.slice(3, 5)}`;
}

// A message repeats its timestamps (every OBX-14 of a panel, OBR-7 and OBR-22): each text is
// read once. The parts are frozen, so a remembered answer cannot be changed by a caller.
const remembered = new Map<string, FhirDateTimeParts | undefined>();
const REMEMBERED_AT_MOST = 512;

/** Reads an HL7 timestamp (component 1 of TS, or DT/DTM). Undefined when it is not one. */
export function parseHl7DateTime(
  text: string,
  defaultOffset: string = CHINA_STANDARD_TIME,
): FhirDateTimeParts | undefined {
  const key = `${defaultOffset}|${text}`;
  const known = remembered.get(key);
  if (known !== undefined || remembered.has(key)) return known;
  const parts = readDateTime(text, defaultOffset);
  if (remembered.size >= REMEMBERED_AT_MOST) remembered.clear();
  remembered.set(key, parts && Object.freeze(parts));
  return parts;
}

function readDateTime(text: string, defaultOffset: string): FhirDateTimeParts | undefined {
  const m = HL7_TS.exec(text) ?? DASHED_TS.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second] = m;
  const fraction = m.length > 7 ? m[7] : undefined;
  if (!year || year === '0000') return undefined;
  if (!inRange(month, 1, 12) || !inRange(hour, 0, 23) || !inRange(minute, 0, 59) || !inRange(second, 0, 59)) {
    return undefined;
  }
  if (day !== undefined && !inRange(day, 1, daysIn(Number(year), Number(month)))) return undefined;
  if (month === undefined && day !== undefined) return undefined;
  const date =
    day !== undefined ? `${year}-${month}-${day}` : month !== undefined ? `${year}-${month}` : year;
  if (hour === undefined) {
    if (m.length > 8 && m[8] !== undefined) return undefined; // an offset on a date alone: not a timestamp
    return { date, dateTime: date };
  }
  if (day === undefined) return undefined;
  const offset = offsetOf(m.length > 8 ? m[8] : undefined, defaultOffset);
  if (offset === undefined) return undefined;
  const time = `${hour}:${minute ?? '00'}:${second ?? '00'}${fraction ? `.${fraction}` : ''}`;
  const dateTime = `${date}T${time}${offset}`;
  return { date, dateTime, ...(minute !== undefined ? { instant: dateTime } : {}) };
}

/**
 * How two FHIR dateTimes read as a Period's start and end (R4 per-1: start ≤ end): `ok`,
 * `before` (the end is before the start), or `ambiguous` (at their precisions neither is
 * before the other, e.g. `2024-12-01T08:00:00+08:00` and `2024-12-01`: FHIR cannot tell).
 */
export function periodOrder(start: string, end: string): 'ok' | 'before' | 'ambiguous' {
  const timed = (s: string) => s.length > 10;
  if (timed(start) && timed(end)) {
    const a = Date.parse(start);
    const b = Date.parse(end);
    if (Number.isNaN(a) || Number.isNaN(b)) return 'ambiguous';
    return b >= a ? 'ok' : 'before';
  }
  if (start.length === end.length) return end >= start ? 'ok' : 'before';
  const n = Math.min(start.length, end.length, 10);
  const a = start.slice(0, n);
  const b = end.slice(0, n);
  return b > a ? 'ok' : b < a ? 'before' : 'ambiguous';
}
