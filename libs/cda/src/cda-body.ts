/** Sections and entries of a CDA structuredBody, and the observation parts both mappers read. */
import type { fhir4 } from '@yilian/contracts';
import { codeableConcept, numberOf, parseTs, quantity } from './cda-datatypes';
import type { CdaFault } from './cda-fault';
import { DATA_ELEMENT_SYSTEM } from './cda-oids';
import type { CdaPerson } from './cda-header';
import { at, attr, child, childrenNamed, textOf, type XmlElement } from './xml-tree';

export const BODY = '/ClinicalDocument/component/structuredBody';

export function sectionsOf(doc: XmlElement): XmlElement[] {
  return childrenNamed(at(doc, 'component', 'structuredBody'), 'component')
    .map((c) => child(c, 'section'))
    .filter((s): s is XmlElement => !!s);
}

/** The clinical statements of a section in document order: observations of `entry`, and of an
 * organizer's `component`s (the organizer itself first, as `organizer`). */
export function statementsOf(section: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const entry of childrenNamed(section, 'entry')) {
    const obs = child(entry, 'observation');
    if (obs) out.push(obs);
    const organizer = child(entry, 'organizer');
    if (organizer) {
      out.push(organizer);
      for (const c of childrenNamed(organizer, 'component')) {
        const o = child(c, 'observation');
        if (o) out.push(o);
      }
    }
  }
  return out;
}

/** The WS 363 data element an observation is coded with (`DE04.30.019.00`), if any. */
export function dataElementOf(obs: XmlElement): string | undefined {
  const code = child(obs, 'code');
  return attr(code, 'codeSystem') === DATA_ELEMENT_SYSTEM ? attr(code, 'code') : undefined;
}

/** The observations under `entryRelationship`. */
export function relatedObservations(obs: XmlElement): XmlElement[] {
  return childrenNamed(obs, 'entryRelationship')
    .map((r) => child(r, 'observation'))
    .filter((o): o is XmlElement => !!o);
}

/** The text of an ST / ED value (or of the observation's `text`). */
export function valueText(obs: XmlElement | undefined): string {
  return textOf(child(obs, 'value')) || textOf(child(obs, 'text'));
}

export function xsiType(value: XmlElement | undefined): string {
  const t = attr(value, 'xsi:type') ?? '';
  return t.slice(t.indexOf(':') + 1).toUpperCase();
}

export type ObservationValue = Pick<
  fhir4.Observation,
  | 'valueQuantity'
  | 'valueString'
  | 'valueCodeableConcept'
  | 'valueBoolean'
  | 'valueDateTime'
  | 'valueRange'
  | 'valueInteger'
  | 'dataAbsentReason'
>;

const NOT_A_NUMBER = 'not a number';

/** An observation's `value` → value[x]; pushes a fault (at the value's XPath) when it is not
 * what its xsi:type says. `unit` is used for a REAL / INT without one (WS 363 DE04.30.016.00). */
export function observationValue(
  obs: XmlElement,
  institution: string,
  faults: CdaFault[],
  unit?: string,
): ObservationValue | undefined {
  const value = child(obs, 'value');
  if (!value) return undefined;
  const type = xsiType(value);
  const where = value.path;
  const num = (el: XmlElement | undefined, path = where) => {
    const n = numberOf(attr(el, 'value'));
    if (n === undefined) faults.push({ xpath: `${path}/@value`, code: 'value', message: NOT_A_NUMBER });
    return n;
  };
  if (attr(value, 'nullFlavor') && !attr(value, 'value') && !attr(value, 'code') && !textOf(value)) {
    return {
      dataAbsentReason: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }],
        text: attr(value, 'nullFlavor')!,
      },
    };
  }
  switch (type) {
    case 'PQ': {
      const n = num(value);
      return n === undefined
        ? undefined
        : { valueQuantity: quantity(n, attr(value, 'unit') ?? unit, !!attr(value, 'unit')) };
    }
    case 'REAL':
    case 'INT': {
      const n = num(value);
      if (n === undefined) return undefined;
      if (type === 'INT' && !unit && Number.isInteger(n)) return { valueInteger: n };
      return { valueQuantity: quantity(n, unit, false) };
    }
    case 'IVL_PQ': {
      const low = child(value, 'low');
      const high = child(value, 'high');
      const range: fhir4.Range = {};
      if (low) {
        const n = num(low, low.path);
        if (n !== undefined) range.low = quantity(n, attr(low, 'unit') ?? unit, !!attr(low, 'unit'));
      }
      if (high) {
        const n = num(high, high.path);
        if (n !== undefined) range.high = quantity(n, attr(high, 'unit') ?? unit, !!attr(high, 'unit'));
      }
      return { valueRange: range };
    }
    case 'CD':
    case 'CE':
    case 'CV':
    case 'CO':
    case 'CS': {
      const concept = codeableConcept(value, institution);
      if (!concept) faults.push({ xpath: `${where}/@code`, code: 'required', message: 'missing' });
      return concept ? { valueCodeableConcept: concept } : undefined;
    }
    case 'BL': {
      const b = attr(value, 'value');
      if (b !== 'true' && b !== 'false') {
        faults.push({ xpath: `${where}/@value`, code: 'value', message: 'not true or false' });
        return undefined;
      }
      return { valueBoolean: b === 'true' };
    }
    case 'TS': {
      const t = parseTs(attr(value, 'value'));
      if (!t) faults.push({ xpath: `${where}/@value`, code: 'value', message: 'not a CDA TS' });
      return t ? { valueDateTime: t.dateTime } : undefined;
    }
    case 'ST':
    case 'ED':
    case 'SC':
    case '': {
      const text = textOf(value);
      return text ? { valueString: text } : undefined;
    }
    default:
      faults.push({
        xpath: `${where}/@xsi:type`,
        code: 'not-supported',
        message: `${type.slice(0, 16)} is not a result value type the hub reads (PQ REAL INT IVL_PQ ST CD CE CV CO BL TS)`,
      });
      return undefined;
  }
}

const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const INTERPRETATION_DISPLAY: Readonly<Record<string, string>> = {
  N: 'Normal',
  H: 'High',
  L: 'Low',
  HH: 'Critical high',
  LL: 'Critical low',
  A: 'Abnormal',
  AA: 'Critical abnormal',
  POS: 'Positive',
  NEG: 'Negative',
  '<': 'Off scale low',
  '>': 'Off scale high',
};
/** Flags Chinese LIS print instead of the table's codes. */
const SIGNS: Readonly<Record<string, string>> = {
  '↑': 'H',
  '↓': 'L',
  '↑↑': 'HH',
  '↓↓': 'LL',
  高: 'H',
  低: 'L',
  正常: 'N',
  阳性: 'POS',
  阴性: 'NEG',
  '+': 'POS',
  '-': 'NEG',
};

/** `interpretationCode` → Observation.interpretation (HL7 v3 ObservationInterpretation, by code
 * or by the sign a Chinese LIS prints); another system's code stays as sent. */
export function interpretationsOf(obs: XmlElement, institution: string): fhir4.CodeableConcept[] {
  return childrenNamed(obs, 'interpretationCode').flatMap((el): fhir4.CodeableConcept[] => {
    const sent = attr(el, 'code') ?? attr(el, 'displayName') ?? '';
    const system = attr(el, 'codeSystem');
    const code =
      !system || system === '2.16.840.1.113883.5.83' ? (SIGNS[sent] ?? sent.toUpperCase()) : undefined;
    if (code && INTERPRETATION_DISPLAY[code]) {
      return [{ coding: [{ system: INTERPRETATION, code, display: INTERPRETATION_DISPLAY[code] }] }];
    }
    const concept = codeableConcept(el, institution);
    return concept ? [concept] : [];
  });
}

/** referenceRange/observationRange → ObservationReferenceRange (IVL_PQ low / high, text). */
export function referenceRangesOf(obs: XmlElement, unit: string | undefined, faults: CdaFault[]) {
  const ranges: fhir4.ObservationReferenceRange[] = [];
  for (const rr of childrenNamed(obs, 'referenceRange')) {
    const range = child(rr, 'observationRange');
    if (!range) continue;
    const value = child(range, 'value');
    const out: fhir4.ObservationReferenceRange = {};
    for (const bound of ['low', 'high'] as const) {
      const el = child(value, bound);
      if (!el || attr(el, 'nullFlavor')) continue;
      const n = numberOf(attr(el, 'value'));
      if (n === undefined) {
        faults.push({ xpath: `${el.path}/@value`, code: 'value', message: NOT_A_NUMBER });
        continue;
      }
      const q = quantity(n, attr(el, 'unit') ?? unit, !!attr(el, 'unit'));
      out[bound] = {
        value: q.value!,
        ...(q.unit ? { unit: q.unit } : {}),
        ...(q.system ? { system: q.system, code: q.code! } : {}),
      };
    }
    const text = textOf(child(range, 'text')) || (xsiType(value) === 'ST' ? textOf(value) : '');
    if (text) out.text = text;
    if (out.low || out.high || out.text) ranges.push(out);
  }
  return ranges;
}

/** A practitioner as a reference with its display and the sender's staff id. */
export function practitioner(
  person: CdaPerson | undefined,
  institution: string,
): fhir4.Reference | undefined {
  if (!person) return undefined;
  return {
    type: 'Practitioner',
    ...(person.name ? { display: person.name } : {}),
    ...(person.id
      ? { identifier: { system: `urn:yilian:institution:${institution}:staff`, value: person.id } }
      : {}),
  };
}

export function statusOf(obs: XmlElement): fhir4.Observation['status'] | undefined {
  const code = attr(child(obs, 'statusCode'), 'code');
  if (code === 'aborted' || code === 'cancelled') return 'cancelled';
  if (code === 'active' || code === 'new') return 'preliminary';
  return undefined;
}
