import fc from 'fast-check';
import { fixture, officialExamples } from '../test/fixtures';
import { isValidFhirResource, validateFhirResource } from './fhir-validator';
import { loadR4Definitions } from './r4-definitions';
import type { ValidationIssue } from './validation-issue';

// Fixtures are broken on purpose, anywhere: typed as loosely as JSON is.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const errors = (r: unknown): Pick<ValidationIssue, 'path' | 'code'>[] =>
  validateFhirResource(r)
    .filter((i) => i.severity === 'error')
    .map(({ path, code }) => ({ path, code }));

beforeAll(() => {
  const load = loadR4Definitions();
  expect(load.resourceTypes).toBe(146);
});

describe('official R4 examples', () => {
  it.each(officialExamples())('%s is valid', (name) => {
    expect(validateFhirResource(fixture(name))).toEqual([]);
  });

  it('accepts the lab fixtures: a transaction Bundle with urn:uuid references, contained Observations', () => {
    expect(validateFhirResource(fixture('lab/cbc-transaction.json'))).toEqual([]);
    expect(validateFhirResource(fixture('lab/cbc-contained.json'))).toEqual([]);
  });

  it('applies no medplum-only rule: no meta needed, absolute and urn:uuid references are fine', () => {
    const obs = fixture<Json>('r4/observation-example.json');
    delete obs.meta;
    delete obs.text;
    obs.subject = { reference: 'https://fhir.h0001.example.cn/fhir/Patient/123/_history/2' };
    obs.performer = [{ reference: 'urn:uuid:9a3b1c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f' }];
    obs.specimen = { identifier: { system: 'urn:yilian:institution:H0001:accession', value: 'L1' } };
    expect(validateFhirResource(obs)).toEqual([]);
  });
});

describe('broken resources: the issue names the element', () => {
  it('missing DiagnosticReport.status', () => {
    const dr = fixture<Json>('r4/diagnosticreport-example-f001-bloodexam.json');
    delete dr.status;
    expect(errors(dr)).toEqual([{ path: 'DiagnosticReport.status', code: 'required' }]);
  });

  it('a status code outside the required value set', () => {
    const dr = fixture<Json>('r4/diagnosticreport-example-f001-bloodexam.json');
    dr.status = 'done';
    const [i] = validateFhirResource(dr);
    expect(i).toMatchObject({ severity: 'error', code: 'code-invalid', path: 'DiagnosticReport.status' });
    expect(i!.message).toContain('"done"');
    expect(i!.message).toContain('final');
  });

  it('Observation.valueQuantity.value as a string', () => {
    const obs = fixture<Json>('r4/observation-example.json');
    obs.valueQuantity.value = '185';
    expect(errors(obs)).toEqual([{ path: 'Observation.valueQuantity.value', code: 'value' }]);
  });

  it('an element R4 does not define', () => {
    const obs = fixture<Json>('r4/observation-example-glasgow.json');
    obs.component[1].valueCodeableConcept.coding[0].rank = 1;
    expect(errors(obs)).toEqual([
      { path: 'Observation.component[1].valueCodeableConcept.coding[0].rank', code: 'structure' },
    ]);
  });

  it('a reference to a type the element does not allow', () => {
    const dr = fixture<Json>('r4/diagnosticreport-example-f001-bloodexam.json');
    dr.result[3] = { reference: 'Patient/f001' };
    dr.subject = { reference: 'http://example.org/fhir/Observation/f001' };
    expect(errors(dr)).toEqual([
      { path: 'DiagnosticReport.subject', code: 'structure' },
      { path: 'DiagnosticReport.result[3]', code: 'structure' },
    ]);
  });

  it('a data type invariant (Period start after end) and a resource invariant (obs-6)', () => {
    const obs = fixture<Json>('r4/observation-example-f001-glucose.json');
    obs.effectivePeriod.end = '2013-04-01T09:30:10+01:00';
    obs.dataAbsentReason = { text: 'not measured' };
    expect(errors(obs)).toEqual([
      { path: 'Observation', code: 'invariant' },
      { path: 'Observation.effectivePeriod', code: 'invariant' },
    ]);
  });

  it('the wrong JSON shape: a string for an object, an array for a single value, two value[x]', () => {
    const obs = fixture<Json>('r4/observation-example.json');
    obs.code = 'body weight';
    obs.subject = [{ reference: 'Patient/example' }];
    obs.valueString = '185 lbs';
    expect(errors(obs)).toEqual([
      { path: 'Observation.code', code: 'structure' },
      { path: 'Observation.subject', code: 'structure' },
      { path: 'Observation.valueString', code: 'structure' },
    ]);
  });
});

describe('inside a Bundle: paths carry the entry index', () => {
  const bundle = (): Json => fixture<Json>('lab/cbc-transaction.json');

  it('valueQuantity.value as a string in entry 4', () => {
    const b = bundle();
    b.entry[4].resource.valueQuantity.value = '4.12';
    expect(errors(b)).toEqual([{ path: 'Bundle.entry[4].resource.valueQuantity.value', code: 'value' }]);
  });

  it('missing status, bad code and the invariants of a nested resource', () => {
    const b = bundle();
    delete b.entry[2].resource.status;
    b.entry[5].resource.status = 'done';
    b.entry[6].resource.dataAbsentReason = { text: 'haemolysed' };
    b.entry[7].resource.referenceRange[0].low.comparator = '<';
    expect(errors(b)).toEqual([
      { path: 'Bundle.entry[2].resource.status', code: 'required' },
      { path: 'Bundle.entry[5].resource.status', code: 'code-invalid' },
      { path: 'Bundle.entry[6].resource', code: 'invariant' },
      { path: 'Bundle.entry[7].resource.referenceRange[0].low', code: 'invariant' },
    ]);
  });

  it('a urn:uuid reference to an entry of the wrong type', () => {
    const b = bundle();
    b.entry[2].resource.result[0].reference = b.entry[1].fullUrl; // the Specimen
    expect(errors(b)).toEqual([{ path: 'Bundle.entry[2].resource.result[0]', code: 'structure' }]);
  });

  it('an entry whose resource is not an R4 resource', () => {
    const b = bundle();
    b.entry[3].resource = { resourceType: 'Bot', name: 'x' };
    expect(errors(b)).toContainEqual({ path: 'Bundle.entry[3].resource', code: 'structure' });
  });
});

describe('any input', () => {
  it('names what is wrong with a non-resource', () => {
    expect(errors(null)).toEqual([{ path: '', code: 'structure' }]);
    expect(errors({ id: 'x' })).toEqual([{ path: 'resourceType', code: 'required' }]);
    expect(errors({ resourceType: 'SubscriptionStatus' })).toEqual([
      { path: 'resourceType', code: 'not-supported' },
    ]);
  });

  it('never throws, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(Array.isArray(validateFhirResource(value))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('treats element names that are Object.prototype members ("valueOf", "constructor") as unknown', () => {
    for (const key of ['valueOf', 'constructor', 'toString', '__proto__']) {
      const b = fixture<Json>('lab/cbc-transaction.json');
      b.entry[0].resource.name = [{ [key]: [] }];
      expect(() => validateFhirResource(b)).not.toThrow();
    }
  });

  it('never throws on a lab Bundle with any element replaced by any JSON', () => {
    const paths = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
      typeof v === 'object' && v !== null
        ? Object.entries(v).flatMap(([k, c]) => [
            [...at, Array.isArray(v) ? Number(k) : k],
            ...paths(c, [...at, k]),
          ])
        : [];
    const all = paths(fixture('lab/cbc-transaction.json'));
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue(), (path, replacement) => {
        const b = fixture<Json>('lab/cbc-transaction.json');
        let node: Json = b;
        for (const key of path.slice(0, -1)) node = node[key];
        node[path.at(-1)!] = replacement;
        const issues = validateFhirResource(b);
        expect(isValidFhirResource(b)).toBe(!issues.some((i) => i.severity === 'error'));
      }),
      { numRuns: 100 },
    );
  });
});
