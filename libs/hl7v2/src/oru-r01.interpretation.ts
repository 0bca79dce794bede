/**
 * OBX-7 → Observation.referenceRange and OBX-8 → Observation.interpretation.
 *
 * Reference range: the text always, as sent; low / high as well when it reads as a range
 * (`3.5-5.5`, `3.5～5.5`, `3.5~5.5` — a `~` the sender did not escape splits the field into two
 * repetitions, read back together — `3.5 至 5.5`) or a bound (`<5.0`, `≤5`, `>10`). The units
 * are the observation's.
 *
 * Interpretation: HL7 table 0078 codes are the codes of the v3 ObservationInterpretation code
 * system FHIR R4 binds to (L, H, LL, HH, N, A, AA, <, >, NEG, POS …); the signs Chinese LIS
 * send (↑ ↓, 高 低, 阳性 阴性, 正常) map to them; anything else is kept as text.
 */
import type { Hl7Segment } from '@medplum/core';
import type * as fhir4 from 'fhir/r4';
import { repetitionCount, repetitionText, textComponent } from './hl7-fields';
import type { Unit } from './oru-r01.value';

export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

const RANGE = /^([+-]?\d{1,15}(?:\.\d{1,15})?)\s*(?:-|~|～|—|–|－|至|to)\s*([+-]?\d{1,15}(?:\.\d{1,15})?)$/i;
const BOUND = /^(<=|>=|≤|≥|<|>|＜|＞|≦|≧)\s*([+-]?\d{1,15}(?:\.\d{1,15})?)$/;
const UPPER_BOUNDS: ReadonlySet<string> = new Set(['<', '<=', '≤', '＜', '≦']);

function simpleQuantity(value: number, unit: Unit): fhir4.Quantity {
  const q: fhir4.Quantity = { value };
  if (unit.unit) q.unit = unit.unit;
  if (unit.system) q.system = unit.system;
  if (unit.code) q.code = unit.code;
  return q;
}

export function referenceRange(obx: Hl7Segment, unit: Unit): fhir4.ObservationReferenceRange | undefined {
  const reps = repetitionCount(obx, 7);
  if (reps === 0) return undefined;
  let text = repetitionText(obx, 7, 1);
  for (let r = 2; r <= reps; r++) text += obx.context.repetitionSeparator + repetitionText(obx, 7, r);
  text = text.trim();
  if (!text) return undefined;
  const range = RANGE.exec(text);
  if (range)
    return {
      low: simpleQuantity(Number(range[1]), unit),
      high: simpleQuantity(Number(range[2]), unit),
      text,
    };
  const bound = BOUND.exec(text);
  if (bound) {
    const q = simpleQuantity(Number(bound[2]), unit);
    return UPPER_BOUNDS.has(bound[1]!) ? { high: q, text } : { low: q, text };
  }
  return { text };
}

const DISPLAY: Readonly<Record<string, string>> = {
  L: 'Low',
  H: 'High',
  LL: 'Critical low',
  HH: 'Critical high',
  LU: 'Significantly low',
  HU: 'Significantly high',
  N: 'Normal',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  '<': 'Off scale low',
  '>': 'Off scale high',
  U: 'Significant change up',
  D: 'Significant change down',
  B: 'Better',
  W: 'Worse',
  S: 'Susceptible',
  R: 'Resistant',
  I: 'Intermediate',
  MS: 'moderately susceptible',
  VS: 'very susceptible',
  NEG: 'Negative',
  POS: 'Positive',
  IND: 'Indeterminate',
  DET: 'Detected',
  ND: 'Not detected',
  E: 'Equivocal',
  NR: 'Non-reactive',
  RR: 'Reactive',
  WR: 'Weakly reactive',
};

const SIGNS: Readonly<Record<string, string>> = {
  '↑': 'H',
  '↓': 'L',
  '↑↑': 'HH',
  '↓↓': 'LL',
  高: 'H',
  偏高: 'H',
  低: 'L',
  偏低: 'L',
  阳性: 'POS',
  阴性: 'NEG',
  正常: 'N',
  异常: 'A',
};

function interpretationOf(sent: string): fhir4.CodeableConcept {
  const upper = sent.toUpperCase();
  const code = DISPLAY[upper] ? upper : SIGNS[sent];
  if (!code) return { text: sent };
  const concept: fhir4.CodeableConcept = {
    coding: [{ system: INTERPRETATION_SYSTEM, code, display: DISPLAY[code]! }],
  };
  if (code !== sent) concept.text = sent;
  return concept;
}

export function interpretations(obx: Hl7Segment): fhir4.CodeableConcept[] {
  const out: fhir4.CodeableConcept[] = [];
  const reps = repetitionCount(obx, 8);
  for (let r = 1; r <= reps; r++) {
    const sent = textComponent(obx, 8, 1, r);
    if (sent) out.push(interpretationOf(sent));
  }
  return out;
}
