/**
 * CDA R2 data types → FHIR R4: TS → dateTime / instant (an offset-less time is China Standard
 * Time, +08:00, as HL7 v2 times are read), CD / CE → CodeableConcept (LOINC and UCUM by their
 * OIDs, any other OID as `urn:oid:`, a code without a system as the sender's local code), PQ →
 * Quantity (the unit is UCUM by the CDA R2 definition of PQ; kept as a UCUM code where it is
 * one by shape).
 */
import type { fhir4 } from '@yilian/contracts';
import { LOINC_OID, UCUM_OID } from './cda-oids';
import { attr, childrenNamed, type XmlElement } from './xml-tree';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

const TS = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(\.\d{1,6})?)?([+-]\d{4})?$/;

export interface CdaTime {
  /** FHIR dateTime at the precision sent. */
  readonly dateTime: string;
  /** FHIR instant when the time has at least minutes. */
  readonly instant?: string;
}

/** A CDA TS value; undefined when it is not one. */
export function parseTs(value: string | undefined, defaultOffset = '+08:00'): CdaTime | undefined {
  if (!value) return undefined;
  const m = TS.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (mo && (+mo < 1 || +mo > 12)) return undefined;
  if (d && (+d < 1 || +d > 31)) return undefined;
  if (h && (+h > 23 || (mi !== undefined && +mi > 59) || (s !== undefined && +s > 59))) return undefined;
  if (!mo) return { dateTime: y! };
  if (!d) return { dateTime: `${y}-${mo}` };
  const date = `${y}-${mo}-${d}`;
  if (!h) return { dateTime: date };
  if (mi === undefined) return undefined; // an hour alone is not a FHIR dateTime
  const offset = zone ? `${zone.slice(0, 3)}:${zone.slice(3)}` : defaultOffset;
  const time = `${date}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${offset}`;
  return { dateTime: time, instant: time };
}

/** The FHIR system of a CDA codeSystem OID. */
export function systemOf(oid: string | undefined, institution: string): string {
  if (!oid) return `urn:yilian:institution:${institution}:code-system:local`;
  if (oid === LOINC_OID) return LOINC;
  if (oid === UCUM_OID) return UCUM;
  if (/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) return `urn:oid:${oid}`;
  return `urn:yilian:institution:${institution}:code-system:${encodeURIComponent(oid)}`;
}

function codingOf(el: XmlElement, institution: string): fhir4.Coding | undefined {
  const code = attr(el, 'code');
  if (!code) return undefined;
  const display = attr(el, 'displayName');
  return {
    system: systemOf(attr(el, 'codeSystem'), institution),
    code: code.replace(/\s+/g, ' '),
    ...(display ? { display } : {}),
  };
}

/** CD / CE / CV (and its `translation`s) → CodeableConcept; undefined when it carries nothing. */
export function codeableConcept(
  el: XmlElement | undefined,
  institution: string,
): fhir4.CodeableConcept | undefined {
  if (!el) return undefined;
  const codings = [el, ...childrenNamed(el, 'translation')]
    .map((c) => codingOf(c, institution))
    .filter((c): c is fhir4.Coding => !!c);
  const text = attr(el, 'displayName') ?? childrenNamed(el, 'originalText')[0]?.text.trim();
  if (codings.length === 0 && !text) return undefined;
  return { ...(codings.length > 0 ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

/** Whether a unit looks like a UCUM code (printable ASCII, no spaces, no `^` powers). */
export function isUcumShaped(unit: string): boolean {
  return /^[!-~]+$/.test(unit) && !unit.includes('^');
}

export function quantity(value: number, unit: string | undefined, ucum: boolean): fhir4.Quantity {
  const q: fhir4.Quantity = { value };
  if (unit && unit !== '1') {
    q.unit = unit;
    if (ucum && isUcumShaped(unit)) {
      q.system = UCUM;
      q.code = unit;
    }
  }
  return q;
}

/** A CDA REAL / PQ / INT numeric literal. */
export function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
