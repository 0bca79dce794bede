/**
 * OBX-5 → Observation.value[x], by OBX-2:
 * NM → valueQuantity (a leading comparator `<0.1`, which many LIS put in NM, is read as SN
 * would read it); SN → valueQuantity with comparator, valueRange (`^10^-^20`), valueRatio
 * (`^1^:^128`), or valueString for what FHIR cannot hold (`2+`, `<>`); ST / TX / FT →
 * valueString (repetitions are lines); CE / CWE / CNE / CF → valueCodeableConcept; DT / TS /
 * DTM → valueDateTime; TM → valueTime. Units (OBX-6) as sent; the UCUM system only when the
 * sender says UCUM and the code is UCUM (ucum-unit.ts: `mIU/L` is coded `m[IU]/L`).
 *
 * The other OBX-2 types of HL7 table 0125, as the HL7 v2-to-FHIR OBX[Observation] map has them
 * (`mappings/segments/… OBX[Observation]`) where R4 can hold it: IS / ID → valueCodeableConcept;
 * DR → valuePeriod; NR → valueRange; CQ (and MO / CP: the amount and its currency) →
 * valueQuantity; an SN that none of its rows fits → valueString; ED (encapsulated data) and RP
 * (reference pointer) → an Attachment (`encapsulated`, RP-1 as url) that the report carries in `presentedForm`
 * (R4 has no Observation.valueAttachment), ED text (ED-4 A / none, ED-2 TEXT / TX) → valueString;
 * XAD / XTN / XPN / XCN / XON / CX / EI / HD / VR / TN / NA, and a type the table does not have →
 * valueString, the value written out as text. A value is refused only when it cannot be what its
 * type says (NM not a number, a date that is none, Base64 that is not Base64).
 */
import type { Hl7Segment } from '@medplum/core';
import type * as fhir4 from 'fhir/r4';
import { asCode, codeableConcept, localCodeSystem, UCUM } from './coding';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { componentsOf, repetitionCount, repetitionText, textComponent, textSubcomponent } from './hl7-fields';
import { parseHl7DateTime, periodOrder } from './hl7-datetime';
import type { SegmentRef } from './oru-r01.groups';
import { ucumCodeOf } from './ucum-unit';

export type ObservationValue = Pick<
  fhir4.Observation,
  | 'valueQuantity'
  | 'valueString'
  | 'valueCodeableConcept'
  | 'valueDateTime'
  | 'valueRange'
  | 'valueRatio'
  | 'valueTime'
  | 'valuePeriod'
> & {
  /** ED / RP: the document or pointer, for the report's `presentedForm`. */
  readonly attachment?: fhir4.Attachment;
};

export interface Unit {
  readonly unit?: string;
  readonly system?: string;
  readonly code?: string;
}

/** HL7 NM, at most 15 digits either side of the point: always a finite JS number. */
const NUMBER = /^[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})$/;
const COMPARATOR_NUMBER = /^(<=|>=|<|>|=)?\s*([+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15}))$/;
const TIME = /^([01]\d|2[0-3])([0-5]\d)?([0-5]\d)?(?:\.\d{1,4})?(?:[+-]\d{4})?$/;
const COMPARATORS: ReadonlySet<string> = new Set(['<', '<=', '>=', '>']);
const TEXT_TYPES: ReadonlySet<string> = new Set(['ST', 'TX', 'FT']);
const CODED_TYPES: ReadonlySet<string> = new Set(['CE', 'CWE', 'CNE', 'CF']);
const DATE_TYPES: ReadonlySet<string> = new Set(['DT', 'TS', 'DTM']);
/** The types read as their own FHIR value; any other OBX-2 is read as text (`writtenOut`). */
export const VALUE_TYPES: ReadonlySet<string> = new Set([
  'NM',
  'SN',
  'TM',
  ...TEXT_TYPES,
  ...CODED_TYPES,
  ...DATE_TYPES,
  'IS',
  'ID',
  'DR',
  'NR',
  'CQ',
  'MO',
  'CP',
  'ED',
  'RP',
  'XAD',
  'XTN',
  'XPN',
  'XCN',
  'XON',
]);

/** OBX-6 → the unit parts of a Quantity. */
export function unitOf(obx: Hl7Segment): Unit {
  const [code = '', text = '', system = ''] = componentsOf(obx, 6, 1);
  const unit = text || code;
  if (!unit) return {};
  if (system.toUpperCase() === 'UCUM' && code) {
    // as UCUM only when it is UCUM (checked; a common near-miss corrected), else the text alone
    const ucum = ucumCodeOf(code);
    if (ucum) return { unit, system: UCUM, code: asCode(ucum) };
  }
  return { unit };
}

export function quantity(value: number, unit: Unit, comparator?: string): fhir4.Quantity {
  const q: fhir4.Quantity = { value };
  if (comparator && COMPARATORS.has(comparator)) q.comparator = comparator as fhir4.Quantity['comparator'];
  return withUnit(q, unit);
}

function withUnit(q: fhir4.Quantity, unit: Unit): fhir4.Quantity {
  if (unit.unit) q.unit = unit.unit;
  if (unit.system) q.system = unit.system;
  if (unit.code) q.code = unit.code;
  return q;
}

interface ValueContext {
  readonly obx: SegmentRef;
  readonly institution: string;
  readonly defaultUtcOffset: string;
  readonly errors: Hl7Error[];
}

function dataTypeError(ctx: ValueContext, message: string, component?: number): undefined {
  const at = { segment: 'OBX', sequence: ctx.obx.sequence, field: 5, ...(component ? { component } : {}) };
  ctx.errors.push({ ...at, code: HL7_ERROR.dataType, message });
  return undefined;
}

function numeric(ctx: ValueContext, text: string): ObservationValue | undefined {
  const m = COMPARATOR_NUMBER.exec(text);
  if (!m) return dataTypeError(ctx, 'OBX-5 is not a number (NM, up to 15 digits each side of the point)');
  return { valueQuantity: quantity(Number(m[2]), unitOf(ctx.obx.segment), m[1]) };
}

/** SN as the v2-to-FHIR map reads it; what none of its rows fits (a comparator or separator outside
 * the table, a number that is none) is the text as sent, "OBX-5.1 OBX-5.2 OBX-5.3 OBX-5.4 OBX-6". */
function structuredNumeric(ctx: ValueContext): ObservationValue | undefined {
  return snRows(ctx) ?? snText(ctx);
}

function snText(ctx: ValueContext): ObservationValue {
  const parts = componentsOf(ctx.obx.segment, 5, 1).slice(0, 4);
  const unit = unitOf(ctx.obx.segment).unit;
  const text = [parts.join(''), unit ?? ''].filter(Boolean).join(' ').trim();
  return text ? { valueString: text } : {};
}

function snRows(ctx: ValueContext): ObservationValue | undefined {
  const [comparator = '', num1 = '', separator = '', num2 = ''] = componentsOf(ctx.obx.segment, 5, 1);
  const unit = unitOf(ctx.obx.segment);
  if (num1 && !NUMBER.test(num1)) return undefined;
  if (num2 && !NUMBER.test(num2)) return undefined;
  if (comparator && !COMPARATORS.has(comparator) && comparator !== '=' && comparator !== '<>')
    return undefined;
  if (!num1) return num2 || separator ? undefined : {};
  if (!separator && !num2) {
    if (comparator === '<>') return { valueString: `<>${num1}` };
    return { valueQuantity: quantity(Number(num1), unit, comparator) };
  }
  if (comparator && comparator !== '=') return { valueString: `${comparator}${num1}${separator}${num2}` };
  if (separator === '-' && num2) {
    const low = withUnit({ value: Number(num1) }, unit);
    return { valueRange: { low, high: withUnit({ value: Number(num2) }, unit) } };
  }
  if ((separator === ':' || separator === '/') && num2) {
    return { valueRatio: { numerator: { value: Number(num1) }, denominator: { value: Number(num2) } } };
  }
  if (separator === '.' && num2 && !num1.includes('.'))
    return { valueQuantity: quantity(Number(`${num1}.${num2}`), unit) };
  if (separator === '+' && !num2) return { valueString: `${num1}+` };
  return undefined;
}

/** The value of an OBX whose OBX-2 is a supported type; undefined after pushing an error. */
export function observationValue(valueType: string, ctx: ValueContext): ObservationValue | undefined {
  const obx = ctx.obx.segment;
  if (repetitionCount(obx, 5) === 0) return {};
  if (TEXT_TYPES.has(valueType)) {
    const lines: string[] = [];
    for (let r = 1; r <= repetitionCount(obx, 5); r++) lines.push(repetitionText(obx, 5, r));
    const text = lines.join('\n').trim();
    return text ? { valueString: text } : {};
  }
  if (CODED_TYPES.has(valueType)) {
    const concept = codeableConcept(componentsOf(obx, 5, 1), ctx.institution);
    return concept ? { valueCodeableConcept: concept } : {};
  }
  const other = otherValue(valueType, ctx);
  if (other) return other.value;
  const first = textComponent(obx, 5, 1);
  if (valueType === 'NM') return first ? numeric(ctx, first) : {};
  if (valueType === 'SN') return structuredNumeric(ctx);
  if (DATE_TYPES.has(valueType)) {
    const parsed = first ? parseHl7DateTime(first, ctx.defaultUtcOffset) : undefined;
    if (first && !parsed) return dataTypeError(ctx, `OBX-5 is not a date/time (${valueType})`);
    return parsed ? { valueDateTime: parsed.dateTime } : {};
  }
  if (valueType !== 'TM') return writtenOut(ctx);
  if (!first) return {};
  const m = TIME.exec(first);
  if (!m) return dataTypeError(ctx, 'OBX-5 is not a time (TM, HHMM[SS])');
  return { valueTime: `${m[1]}:${m[2] ?? '00'}:${m[3] ?? '00'}` };
}

/** The types beyond the numeric, text, coded and date ones; `undefined` for those. The value is
 * `undefined` after an error was pushed. */
function otherValue(
  valueType: string,
  ctx: ValueContext,
): { value: ObservationValue | undefined } | undefined {
  const obx = ctx.obx.segment;
  const c = componentsOf(obx, 5, 1);
  switch (valueType) {
    case 'IS':
    case 'ID': {
      const code = c[0] ?? '';
      if (!code) return { value: {} };
      const system = localCodeSystem(ctx.institution, valueType === 'ID' ? 'HL7' : '');
      return { value: { valueCodeableConcept: { coding: [{ system, code: asCode(code) }], text: code } } };
    }
    case 'DR':
      return { value: period(ctx) };
    case 'NR': {
      const [low = '', high = ''] = c;
      if ((low && !NUMBER.test(low)) || (high && !NUMBER.test(high))) return { value: writtenOut(ctx) };
      const unit = unitOf(obx);
      const range: fhir4.Range = {};
      if (low) range.low = withUnit({ value: Number(low) }, unit);
      if (high) range.high = withUnit({ value: Number(high) }, unit);
      return { value: low || high ? { valueRange: range } : {} };
    }
    case 'CQ':
    case 'MO':
    case 'CP': {
      // CQ: quantity ^ units (CE); MO: quantity ^ denomination (ISO 4217); CP: price (MO) ^ …
      const amount = valueType === 'CP' ? textSubcomponent(obx, 5, 1, 1) : (c[0] ?? '');
      if (!amount) return { value: writtenOut(ctx) };
      if (!NUMBER.test(amount)) return { value: writtenOut(ctx) };
      const currency =
        valueType === 'MO' ? (c[1] ?? '') : valueType === 'CP' ? textSubcomponent(obx, 5, 1, 2) : '';
      if (currency && /^[A-Z]{3}$/.test(currency)) {
        return {
          value: {
            valueQuantity: {
              value: Number(amount),
              unit: currency,
              system: 'urn:iso:std:iso:4217',
              code: currency,
            },
          },
        };
      }
      const unit = valueType === 'CQ' && (textSubcomponent(obx, 5, 2, 2) || textSubcomponent(obx, 5, 2, 1));
      return {
        value: {
          valueQuantity: unit ? { value: Number(amount), unit } : quantity(Number(amount), unitOf(obx)),
        },
      };
    }
    case 'ED':
      return { value: encapsulated(ctx) };
    case 'RP': {
      const pointer = c[0] ?? '';
      if (!pointer) return { value: {} };
      const contentType = mimeType(c[2] ?? '', c[3] ?? '');
      const attachment: fhir4.Attachment = /^[a-z][a-z0-9+.-]*:\S+$/i.test(pointer)
        ? { url: pointer }
        : { title: pointer };
      if (contentType) attachment.contentType = contentType;
      return { value: { attachment } };
    }
    default:
      return undefined;
  }
}

/** DR: range start ^ range end, each a TS (its first subcomponent the time) → valuePeriod. */
function period(ctx: ValueContext): ObservationValue | undefined {
  const obx = ctx.obx.segment;
  const startText = textSubcomponent(obx, 5, 1, 1);
  const endText = textSubcomponent(obx, 5, 2, 1);
  const start = startText ? parseHl7DateTime(startText, ctx.defaultUtcOffset) : undefined;
  const end = endText ? parseHl7DateTime(endText, ctx.defaultUtcOffset) : undefined;
  if (startText && !start) return dataTypeError(ctx, 'OBX-5.1 (DR range start) is not a date/time', 1);
  if (endText && !end) return dataTypeError(ctx, 'OBX-5.2 (DR range end) is not a date/time', 2);
  if (start && end) {
    const order = periodOrder(start.dateTime, end.dateTime);
    if (order === 'before') return dataTypeError(ctx, 'OBX-5.2 (DR range end) is before its start', 2);
    // FHIR cannot order them at their precisions (per-1): the range as sent, as text
    if (order === 'ambiguous') return { valueString: `${start.dateTime} – ${end.dateTime}` };
  }
  const p: fhir4.Period = {};
  if (start) p.start = start.dateTime;
  if (end) p.end = end.dateTime;
  return start || end ? { valuePeriod: p } : {};
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  AP: 'application',
  APPLICATION: 'application',
  AU: 'audio',
  AUDIO: 'audio',
  IM: 'image',
  IMAGE: 'image',
  NS: 'image',
  SI: 'image',
  SD: 'image',
  TEXT: 'text',
  TX: 'text',
  FT: 'text',
  MULTIPART: 'multipart',
  VIDEO: 'video',
};
const MIME_SUBTYPES: Readonly<Record<string, string>> = {
  'X-HL7-CDA-LEVEL-ONE': 'x-hl7-cda-level-one+xml',
  BASIC: 'basic',
  OCTET: 'octet-stream',
  'OCTET-STREAM': 'octet-stream',
  JPG: 'jpeg',
};

/** ED-2 type of data (table 0191) and ED-3 subtype (0291), or a MIME type sent as they are. */
function mimeType(type: string, subtype: string): string | undefined {
  const major = MIME_TYPES[type.toUpperCase()];
  const sub = subtype ? (MIME_SUBTYPES[subtype.toUpperCase()] ?? subtype.toLowerCase()) : '';
  const mime = major && sub ? `${major}/${sub}` : type.includes('/') ? type.toLowerCase() : '';
  return /^[a-z]+\/[a-z0-9][a-z0-9.+-]*$/.test(mime) ? mime : major === 'text' ? 'text/plain' : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** ED: source application ^ type of data ^ data subtype ^ encoding (0299: A, Hex, Base64) ^ data. */
function encapsulated(ctx: ValueContext): ObservationValue | undefined {
  const [, type = '', subtype = '', encodingText = ''] = componentsOf(ctx.obx.segment, 5, 1);
  const data = componentsOf(ctx.obx.segment, 5, 1)[4] ?? '';
  const encoding = encodingText.toUpperCase();
  const contentType = mimeType(type, subtype);
  if (!data) return {};
  if (encoding === 'BASE64' || encoding === 'HEX') {
    const compact = data.replace(/\s+/g, '');
    let base64 = compact;
    if (encoding === 'HEX') {
      if (!/^(?:[0-9A-Fa-f]{2})*$/.test(compact))
        return dataTypeError(ctx, 'OBX-5.5 (ED data) is not hexadecimal', 5);
      base64 = Buffer.from(compact, 'hex').toString('base64');
    } else if (!BASE64.test(compact) || compact.length % 4 === 1) {
      return dataTypeError(ctx, 'OBX-5.5 (ED data) is not Base64', 5);
    }
    const attachment: fhir4.Attachment = { data: base64 };
    if (contentType) attachment.contentType = contentType;
    return { attachment };
  }
  // ED-4 A (or none): the data is text
  if (!contentType || contentType.startsWith('text/')) return { valueString: data };
  return { attachment: { contentType, data: Buffer.from(data, 'utf8').toString('base64') } };
}

/** Any other value written out as text: each repetition's components, joined as the type reads
 * (XAD street, city, state postcode, country; XTN the number or address; a name; an id). */
function writtenOut(ctx: ValueContext): ObservationValue {
  const obx = ctx.obx.segment;
  const valueType = textComponent(obx, 2, 1).toUpperCase();
  const lines: string[] = [];
  for (let r = 1; r <= repetitionCount(obx, 5); r++) {
    const text = formatted(valueType, componentsOf(obx, 5, r), obx, r);
    if (text) lines.push(text);
  }
  return lines.length > 0 ? { valueString: lines.join('\n') } : {};
}

function formatted(valueType: string, c: readonly string[], obx: Hl7Segment, r: number): string {
  const join = (parts: readonly (string | undefined)[], sep: string) => parts.filter((p) => p).join(sep);
  switch (valueType) {
    case 'XAD': {
      const street = textSubcomponent(obx, 5, 1, 1, r);
      const cityLine = join([c[2], join([c[3], c[4]], ' ')], ', ');
      return join([street, c[1], cityLine, c[5]], ', ');
    }
    case 'XTN': {
      // XTN-1 (the number as text, before 2.5 the only one) else [+country] (area) local [x ext]; XTN-4 e-mail
      const number = join(
        [c[4] ? `+${c[4]}` : '', c[5] ? `(${c[5]})` : '', c[6], c[7] ? `x${c[7]}` : ''],
        ' ',
      );
      return c[0] || number || c[3] || c[11] || '';
    }
    case 'XPN':
      return join([c[4], c[1], c[2], c[0] ? textSubcomponent(obx, 5, 1, 1, r) : '', c[3]], ' ');
    case 'XCN':
      return join(
        [c[5], c[2], c[3], c[1] ? textSubcomponent(obx, 5, 2, 1, r) : '', c[4], c[0] ? `(${c[0]})` : ''],
        ' ',
      );
    case 'XON':
      return join([c[0], c[9] && c[9] !== c[0] ? `(${c[9]})` : ''], ' ');
    default:
      return join(c, ' ');
  }
}
