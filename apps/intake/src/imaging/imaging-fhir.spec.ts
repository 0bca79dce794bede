import type { fhir4 } from '@yilian/contracts';
import { fixture } from '../../../../libs/fhir/test/fixtures';
import { imagingPartiesOf } from './imaging-fhir.resolve';
import { type ImagingFhirContent, readImagingSubmission } from './imaging-fhir.submission';

const KNOWN = new Set(['C002', 'H001', 'H009']);
const known = (code: string | undefined) => !!code && KNOWN.has(code);
const RID = { system: 'urn:oid:2.16.156.10011.1.3', value: '11010519491231002X' };
const ACSN = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] };
const UID = '1.2.156.112605.14038005400501.20240312093000.1';

function read(input: unknown): ImagingFhirContent {
  const r = readImagingSubmission(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.content;
}
function issuesOf(input: unknown, sender = 'H001') {
  const r = readImagingSubmission(input);
  const issues = r.ok
    ? (() => {
        const p = imagingPartiesOf(r.content, sender, known);
        return p.ok ? [] : p.issues;
      })()
    : r.issues;
  return issues.map((i) => `${i.code} ${i.path}`);
}

const study = (extra: Partial<fhir4.ImagingStudy> = {}): fhir4.ImagingStudy => ({
  resourceType: 'ImagingStudy',
  identifier: [
    { system: 'urn:dicom:uid', value: `urn:oid:${UID}` },
    { type: ACSN, system: 'urn:yilian:institution:C002:accession', value: 'CT20240312001' },
  ],
  status: 'available',
  subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' },
  modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
  numberOfSeries: 3,
  numberOfInstances: 245,
  ...extra,
});
const report = (extra: Partial<fhir4.DiagnosticReport> = {}): fhir4.DiagnosticReport => ({
  resourceType: 'DiagnosticReport',
  status: 'final',
  code: { text: '胸部CT平扫' },
  subject: { identifier: RID },
  conclusion: '右肺上叶磨玻璃结节',
  ...extra,
});
const entry = (resource: fhir4.FhirResource, fullUrl: string): fhir4.BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType },
});

describe('imaging over FHIR: reading the submission and who did what', () => {
  it('reads a transaction Bundle from the performer: study, report, patient, endpoint moved into the study', () => {
    const bundle: fhir4.Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        entry(
          { resourceType: 'Patient', identifier: [RID] },
          'urn:uuid:11111111-1111-4111-8111-111111111111',
        ),
        entry(
          study({ endpoint: [{ reference: 'urn:uuid:33333333-3333-4333-8333-333333333333' }] }),
          'urn:uuid:22222222-2222-4222-8222-222222222222',
        ),
        entry(
          {
            resourceType: 'Endpoint',
            status: 'active',
            connectionType: {
              system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
              code: 'dicom-wado-rs',
            },
            payloadType: [{ text: 'DICOM' }],
            address: `https://pacs.c002.example.cn/dicom-web/studies/${UID}`,
          },
          'urn:uuid:33333333-3333-4333-8333-333333333333',
        ),
        entry(
          report({ imagingStudy: [{ reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' }] }),
          'urn:uuid:44444444-4444-4444-8444-444444444444',
        ),
      ],
    };
    const content = read(bundle);
    expect(content.entryPaths).toHaveLength(4);
    expect(content.endpoints.map((e) => e.address)).toEqual([
      `https://pacs.c002.example.cn/dicom-web/studies/${UID}`,
    ]);
    expect(content.patient?.path).toBe('Bundle.entry[0].resource');
    const parties = imagingPartiesOf(content, 'C002', known);
    expect(parties).toEqual({
      ok: true,
      parties: {
        performer: 'C002',
        performerBasis: 'sender',
        accession: 'CT20240312001',
        patient: { residentId: RID.value },
      },
    });
  });

  it('takes the performer a reporting centre names (a known institution), and the study accession it carries', () => {
    const content = read(
      report({
        identifier: [
          { type: ACSN, value: 'CT20240312001' },
          { system: 'urn:yilian:institution:H001:report', value: 'R-9' },
        ],
        performer: [{ reference: 'Organization/C002' }, { reference: 'Organization/12345' }],
        imagingStudy: [{ reference: 'ImagingStudy/imaging.C002.CT20240312001' }],
      }),
    );
    expect(content.studyRef).toMatchObject({ performer: 'C002', accession: 'CT20240312001' });
    expect(imagingPartiesOf(content, 'H001', known)).toMatchObject({
      ok: true,
      parties: { performer: 'C002', performerBasis: 'study', accession: 'CT20240312001' },
    });
    const explicit = read({
      ...report({
        identifier: [{ type: ACSN, value: 'CT1' }],
        performer: [{ reference: 'Organization/C002' }],
      }),
      imagingStudy: [{ reference: '#s' }],
      contained: [{ ...study(), id: 's', identifier: [] }],
    });
    expect(imagingPartiesOf(explicit, 'H001', known)).toMatchObject({
      ok: true,
      parties: { performer: 'C002', performerBasis: 'explicit', accession: 'CT1' },
    });
  });

  it("refuses a centre's report on another institution's study without that study's accession", () => {
    const noAccession = {
      ...report({ identifier: [{ value: 'R-9' }], performer: [{ reference: 'Organization/C002' }] }),
      imagingStudy: [{ reference: '#s' }],
      contained: [{ ...study(), id: 's', identifier: [] }],
    };
    expect(issuesOf(noAccession)).toEqual(['required DiagnosticReport.identifier']);
  });

  it('refuses two different performers, a report with result Observations, references that resolve nowhere', () => {
    const two = {
      ...report({ performer: [{ reference: 'Organization/C002' }] }),
      imagingStudy: [{ reference: '#s' }],
      contained: [
        {
          ...study(),
          id: 's',
          identifier: [{ type: ACSN, value: 'A1', assigner: { reference: 'Organization/H009' } }],
        },
      ],
    };
    expect(issuesOf(two)).toEqual(['invariant DiagnosticReport.performer']);
    expect(
      issuesOf(
        report({
          imagingStudy: [{ reference: 'ImagingStudy/abc' }],
          result: [{ reference: 'Observation/1' }],
        }),
      ),
    ).toEqual(['not-found DiagnosticReport.imagingStudy[0]', 'not-supported DiagnosticReport.result']);
    expect(
      issuesOf(study({ endpoint: [{ reference: 'Endpoint/elsewhere' }], subject: { identifier: RID } })),
    ).toEqual(['not-found ImagingStudy.endpoint[0]']);
  });

  it('reads the official R4 ImagingStudy example: its UID is the accession, Patient/dicom the sender MRN', () => {
    const content = read(fixture('r4/imagingstudy-example.json'));
    expect(imagingPartiesOf(content, 'C002', known)).toEqual({
      ok: true,
      parties: {
        performer: 'C002',
        performerBasis: 'sender',
        accession: '2.16.124.113543.6003.1154777499.30246.19789.3503430045',
        patient: { mrn: 'dicom', mrnInstitution: 'C002' },
      },
    });
  });

  it("keeps an MRN whose system names the performer as the performer's", () => {
    const content = read(
      report({
        subject: { identifier: { system: 'urn:yilian:institution:C002:mrn', value: 'C0020001234' } },
        imagingStudy: [{ reference: 'ImagingStudy/imaging.C002.CT20240312001' }],
      }),
    );
    expect(imagingPartiesOf(content, 'H001', known)).toMatchObject({
      ok: true,
      parties: { patient: { mrn: 'C0020001234', mrnInstitution: 'C002' } },
    });
  });
});
