/**
 * What the hub records from each imaging fixture — the mapped study and report after the
 * hub's normalisation (ids, patient, performer, reporter) — is valid FHIR R4 against the
 * official base StructureDefinitions.
 */
import { validateFhirResource } from '@yilian/fhir';
import { normalizeImagingReport, normalizeImagingStudy } from '@yilian/results';
import { imagingFixtureNames, mappedImaging } from './imaging-fixtures';

const ids = { performer: 'C002', patientKey: 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce' };

describe('imaging HL7 v2 mapping: FHIR R4 validity', () => {
  it.each(imagingFixtureNames())('%s gives valid R4 resources', (name) => {
    const problems: string[] = [];
    for (const draft of mappedImaging(name, 'H001').drafts) {
      const at = { ...ids, accession: draft.accession };
      const resources = [
        ...(draft.study ? [normalizeImagingStudy({ ...at, study: { ...draft.study, subject: {} } })] : []),
        ...(draft.report ? [normalizeImagingReport({ ...at, reporter: 'H001', report: draft.report })] : []),
      ];
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources)
        for (const i of validateFhirResource(r))
          problems.push(`${r.resourceType} ${i.severity} ${i.path}: ${i.message}`);
    }
    expect(problems).toEqual([]);
  });
});
