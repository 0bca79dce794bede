/**
 * Every resource the mapping produces is valid FHIR R4 against the official base
 * StructureDefinitions (libs/fhir's validator: cardinality, types, primitive formats, required
 * value sets, invariants) — for the fixtures, and for mutated messages that still map.
 */
import { validateFhirResource } from '@yilian/fhir';
import fc from 'fast-check';
import { mapOruR01Lab, type LabMappingResult } from '../src';
import { CTX, fixture, fixtureNames, mapped } from './fixtures';

function invalidResources(result: LabMappingResult): string[] {
  if (!result.ok) return [];
  const problems: string[] = [];
  for (const draft of result.reports) {
    for (const resource of [draft.report, ...draft.observations, ...draft.specimens]) {
      for (const issue of validateFhirResource(resource)) {
        problems.push(`${issue.severity} ${issue.path}: ${issue.message}`);
      }
    }
  }
  return problems;
}

describe('ORU^R01 lab mapping: FHIR R4 validity', () => {
  it.each(fixtureNames())('%s gives valid R4 resources', (name) => {
    expect(invalidResources(mapped(name))).toEqual([]);
  });

  it('gives valid R4 resources for mutated messages that still map', () => {
    const messages = fixtureNames().map(fixture);
    const value = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '1',
        '-0.5',
        '.5',
        '>^5',
        '<>^3',
        '^2^+',
        '^1^:^2',
        '^1^-^',
        '20240230',
        '202403151060',
        '2024',
        '20240315103000.1234+0800',
        'A^B^LN^C^D^L',
        '""',
        'x\\.br\\y',
        '\\X41\\',
        '<5',
        '1.5-2.5',
        'H~L',
        'NEG',
        '99999999999999999999',
        'mmol/L^mmol/L^UCUM',
        'a  b^t^UCUM',
        'M',
        '2',
        'C',
        'X',
        'CWE',
        'SN',
        'TS',
        'TM',
        '0840',
      ),
      fc.string({
        unit: fc.constantFrom('^', '~', '&', '\\', 'A', '1', '.', ' ', '-', '钾', '\t'),
        maxLength: 12,
      }),
    );
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 25 }), value, (m, s, field, replacement) => {
        const segments = messages[m % messages.length]!.split('\r');
        const index = 1 + (s % (segments.length - 1));
        const fields = segments[index]!.split('|');
        while (fields.length <= field) fields.push('');
        fields[field] = replacement;
        segments[index] = fields.join('|');
        expect(invalidResources(mapOruR01Lab(segments.join('\r'), CTX))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
