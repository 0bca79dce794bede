import { Hl7Message } from '@medplum/core';
import { unitOf } from '../src/oru-r01.value';
import { ucumCodeOf } from '../src/ucum-unit';

const obx = (units: string) =>
  Hl7Message.parse(
    `MSH|^~\\&|LIS|H001|HUB|HUB|20261207||ORU^R01|1|P|2.5.1\rOBX|1|NM|TSH^TSH^L||2.1|${units}|`,
  ).getSegment('OBX')!;

describe('OBX-6 units as FHIR Quantity units', () => {
  it.each([
    ['mmol/L^mmol/L^UCUM', { unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' }],
    // a LIS's usual near-misses, corrected to the UCUM code; the unit text stays as sent
    ['mIU/L^mIU/L^UCUM', { unit: 'mIU/L', system: 'http://unitsofmeasure.org', code: 'm[IU]/L' }],
    ['IU/L^^UCUM', { unit: 'IU/L', system: 'http://unitsofmeasure.org', code: '[IU]/L' }],
    ['μmol/L^^UCUM', { unit: 'μmol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' }],
    // said to be UCUM but none: the text only, no false UCUM code
    ['x10E9/L^^UCUM', { unit: 'x10E9/L' }],
    // no system said: as sent, text only
    ['mIU/L', { unit: 'mIU/L' }],
  ])('%s → %j', (units, expected) => {
    expect(unitOf(obx(units))).toEqual(expected);
  });

  it('codes a prefixed IU (kIU/L → k[IU]/L), the same on a second ask; text with blanks is no unit', () => {
    expect(ucumCodeOf('kIU/L')).toBe('k[IU]/L');
    expect(ucumCodeOf('kIU/L')).toBe('k[IU]/L');
    expect(ucumCodeOf('not a unit')).toBeUndefined();
  });
});
