import type { fhir4 } from '@yilian/contracts';
import { normalizeLabReport, resolverByIds } from './lab-report.normalize';

function submission() {
  const specimen: fhir4.Specimen = { resourceType: 'Specimen', id: 'sp1', type: { text: '血清' } };
  const potassium: fhir4.Observation = {
    resourceType: 'Observation',
    id: 'a',
    status: 'final',
    code: { text: '钾' },
    specimen: { reference: 'urn:uuid:sp1' },
    valueQuantity: { value: 3.1, unit: 'mmol/L' },
  };
  const panel: fhir4.Observation = {
    resourceType: 'Observation',
    id: 'b',
    status: 'final',
    code: { text: 'panel' },
    hasMember: [{ reference: 'Observation/a' }, { reference: '#zz' }],
    derivedFrom: [{ reference: '#a', display: 'x' }],
    performer: [{ reference: 'Organization/other' }],
  };
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: 'r',
    status: 'final',
    code: { text: 'BMP' },
    result: [{ reference: 'Observation/b' }, { reference: 'urn:uuid:a' }],
    contained: [{ resourceType: 'Organization', id: 'o' }, specimen],
  };
  return { report, observations: [potassium, panel], specimens: [specimen] };
}

describe('normalizeLabReport', () => {
  it('gives the hub ids, patient and performer, rewrites the references, and keeps the key order of the stored text', () => {
    const s = submission();
    const normalized = normalizeLabReport({
      performer: 'H001',
      accession: 'A-1',
      patientKey: 'pk_abc',
      ...s,
      resolve: resolverByIds([s.report, ...s.observations, ...s.specimens]),
    });
    // The exact text: the content hash is over it, so a change of key order is a change of hash
    // (this text is what the implementation before 2026-12-04 produced for the same input).
    expect(JSON.stringify(normalized)).toBe(
      '{"report":{"resourceType":"DiagnosticReport","id":"H001.A-1","status":"final","code":{"text":"BMP"},' +
        '"result":[{"reference":"Observation/H001.A-1.o2"},{"reference":"Observation/H001.A-1.o1"}],' +
        '"contained":[{"resourceType":"Organization","id":"o"}],"subject":{"reference":"Patient/pk_abc"},' +
        '"performer":[{"reference":"Organization/H001"}],"specimen":[{"reference":"Specimen/H001.A-1.s1"}]},' +
        '"observations":[{"resourceType":"Observation","id":"H001.A-1.o1","status":"final","code":{"text":"钾"},' +
        '"specimen":{"reference":"Specimen/H001.A-1.s1"},"valueQuantity":{"value":3.1,"unit":"mmol/L"},' +
        '"subject":{"reference":"Patient/pk_abc"},"performer":[{"reference":"Organization/H001"}]},' +
        '{"resourceType":"Observation","id":"H001.A-1.o2","status":"final","code":{"text":"panel"},' +
        '"hasMember":[{"reference":"Observation/H001.A-1.o1"},{"reference":"#zz"}],' +
        '"derivedFrom":[{"reference":"Observation/H001.A-1.o1","display":"x"}],' +
        '"performer":[{"reference":"Organization/H001"}],"subject":{"reference":"Patient/pk_abc"}}],' +
        '"specimens":[{"resourceType":"Specimen","id":"H001.A-1.s1","type":{"text":"血清"},' +
        '"subject":{"reference":"Patient/pk_abc"}}]}',
    );
    expect(s.observations[1]!.performer).toEqual([{ reference: 'Organization/other' }]); // input untouched
  });
});

describe('resolverByIds', () => {
  const observation: fhir4.Observation = { resourceType: 'Observation', id: 'x', status: 'final', code: {} };
  const specimen: fhir4.Specimen = { resourceType: 'Specimen', id: 'x' };
  const resolve = resolverByIds([observation, specimen, { resourceType: 'Patient' }]);

  it('resolves Type/id by type, and urn:uuid:id and #id to the last resource with that id', () => {
    expect(resolve('Observation/x')).toBe(observation);
    expect(resolve('Specimen/x')).toBe(specimen);
    expect(resolve('urn:uuid:x')).toBe(specimen);
    expect(resolve('#x')).toBe(specimen);
  });

  it('resolves nothing else', () => {
    for (const ref of [
      'Patient/x',
      'x',
      '/x',
      'urn:uuid:y',
      '#',
      'http://h/fhir/Observation/x',
      'Observation/x/_history/1',
    ])
      expect(resolve(ref)).toBeUndefined();
  });
});
