/**
 * OBX-5 → Observation.value[x], by OBX-2:
 * NM → valueQuantity (a leading comparator `<0.1`, which many LIS put in NM, is read as SN
 * would read it); SN → valueQuantity with comparator, valueRange (`^10^-^20`), valueRatio
 * (`^1^:^128`), or valueString for what FHIR cannot hold (`2+`, `<>`); ST / TX / FT →
 * valueString (repetitions are lines); CE / CWE / CNE / CF → valueCodeableConcept; DT / TS /
 * DTM → valueDateTime; TM → valueTime. Units (OBX-6) as sent; the UCUM system only when the
 * sender says UCUM and the code is UCUM (ucum-unit.ts: `mIU/L` is coded `m[IU]/L`).
 */
import type { Hl7Segment } from '@medplum/core';
import type * as fhir4 from 'fhir/r4';
import { asCode, codeableConcept, UCUM } from './coding';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { componentsOf, repetitionCount, repetitionText, textComponent } from './hl7-fields';
import { parseHl7DateTime } from './hl7-datetime';
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
>;

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
export const VALUE_TYPES: ReadonlySet<string> = new Set([
  'NM',
  'SN',
  'TM',
  ...TEXT_TYPES,
  ...CODED_TYPES,
  ...DATE_TYPES,
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

function structuredNumeric(ctx: ValueContext): ObservationValue | undefined {
  const [comparator = '', num1 = '', separator = '', num2 = ''] = componentsOf(ctx.obx.segment, 5, 1);
  const unit = unitOf(ctx.obx.segment);
  if (num1 && !NUMBER.test(num1)) return dataTypeError(ctx, 'OBX-5.2 (SN first number) is not a number', 2);
  if (num2 && !NUMBER.test(num2)) return dataTypeError(ctx, 'OBX-5.4 (SN second number) is not a number', 4);
  if (comparator && !COMPARATORS.has(comparator) && comparator !== '=' && comparator !== '<>') {
    return dataTypeError(ctx, 'OBX-5.1 (SN comparator) is not one of > < >= <= = <>', 1);
  }
  if (!num1) return num2 || separator ? dataTypeError(ctx, 'OBX-5.2 (SN first number) is missing', 2) : {};
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
  return dataTypeError(ctx, `OBX-5.3 (SN separator) ${separator} is not one of - + / . :`, 3);
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
  const first = textComponent(obx, 5, 1);
  if (valueType === 'NM') return first ? numeric(ctx, first) : {};
  if (valueType === 'SN') return structuredNumeric(ctx);
  if (DATE_TYPES.has(valueType)) {
    const parsed = first ? parseHl7DateTime(first, ctx.defaultUtcOffset) : undefined;
    if (first && !parsed) return dataTypeError(ctx, `OBX-5 is not a date/time (${valueType})`);
    return parsed ? { valueDateTime: parsed.dateTime } : {};
  }
  if (!first) return {};
  const m = TIME.exec(first);
  if (!m) return dataTypeError(ctx, 'OBX-5 is not a time (TM, HHMM[SS])');
  return { valueTime: `${m[1]}:${m[2] ?? '00'}:${m[3] ?? '00'}` };
}
