import { patientIdentifiersOf } from './patient-identifiers';

describe('patientIdentifiersOf', () => {
  it('reads the resident ID number (either system spelling) and the MRNs by institution', () => {
    expect(
      patientIdentifiersOf([
        { system: 'urn:yilian:institution:H0001:mrn', value: ' MZ0048213 ' },
        { use: 'official', system: 'urn:yilian:identifier:resident-id', value: '11010519491231002x' },
        { system: 'urn:yilian:institution:H0002:mrn', value: 'ZY-77' },
        { system: 'http://example.org/other', value: 'ignored' },
      ]),
    ).toEqual({
      residentId: '11010519491231002X',
      mrns: [
        { institution: 'H0001', value: 'MZ0048213' },
        { institution: 'H0002', value: 'ZY-77' },
      ],
    });
  });

  it('does not use an invalid resident ID number, and says why without repeating it', () => {
    const read = patientIdentifiersOf([
      { system: 'urn:oid:2.16.156.10011.1.3', value: '110105194912310021' },
    ]);
    expect(read).toEqual({ residentIdProblem: 'check character expected X got 1', mrns: [] });
  });

  it('copes with nothing', () => {
    expect(patientIdentifiersOf(undefined)).toEqual({ mrns: [] });
  });
});
