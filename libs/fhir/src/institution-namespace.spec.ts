import { foreignNamespaceIssues, isForeignNamespace } from './institution-namespace';

describe('institution namespaces come from the credential', () => {
  it.each(['accession', 'mrn', 'referral', 'study', 'placer'])(
    'names the path of a %s identifier in another institution’s namespace',
    (kind) => {
      const body = {
        resourceType: 'Bundle',
        entry: [
          {
            resource: {
              resourceType: 'DiagnosticReport',
              identifier: [{ system: `urn:yilian:institution:H001:${kind}`, value: '1' }],
            },
          },
          {
            resource: {
              resourceType: 'Observation',
              identifier: [{ system: `urn:yilian:institution:B002:${kind}`, value: '2' }],
            },
          },
        ],
      };
      const issues = foreignNamespaceIssues(body, 'H001');
      expect(issues.map((i) => i.path)).toEqual(['Bundle.entry[1].resource.identifier[0].system']);
      expect(issues[0]!.message).toContain(`B002's ${kind} namespace`);
    },
  );

  it('checks Reference.identifier (a report subject by another institution’s MRN) but not Patient.link.other or codings', () => {
    const report = {
      resourceType: 'DiagnosticReport',
      subject: { identifier: { system: 'urn:yilian:institution:B002:mrn', value: 'M1' } },
      code: { coding: [{ system: 'urn:yilian:institution:B002:code-system:local', code: 'K' }] },
    };
    expect(foreignNamespaceIssues(report, 'H001').map((i) => i.path)).toEqual([
      'DiagnosticReport.subject.identifier.system',
    ]);
    const patient = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:yilian:institution:H001:mrn', value: 'M9' }],
      link: [
        {
          type: 'seealso',
          other: { identifier: { system: 'urn:yilian:institution:B002:mrn', value: 'M1' } },
        },
      ],
    };
    expect(foreignNamespaceIssues(patient, 'H001')).toEqual([]);
    expect(isForeignNamespace('urn:yilian:institution:B002:mrn', 'H001')).toBe(true);
    expect(isForeignNamespace('urn:oid:2.16.156.10011.1.3', 'H001')).toBe(false);
  });
});
