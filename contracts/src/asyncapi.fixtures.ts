/**
 * One realistic event per (type, version) the AsyncAPI document declares, as the hub records
 * them (shapes from the deciders' specs and libs/testing's lab fixtures), for
 * asyncapi.spec.ts: each must fit its payload schema, its runtime check, its headers and key.
 */
import type { fhir4 } from './fhir';
import type { LabReportRecordedV1 } from './results/lab-report-recorded.v1';
import { upcastLabReportRecordedV1 } from './results/lab-report-recorded.v2';

export interface EventSample {
  readonly type: string;
  readonly schemaVersion: number;
  readonly stream: string;
  readonly institution: string;
  readonly patientKey?: string;
  readonly data: unknown;
}

const PK = 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce';
const PK2 = 'pk_3m4n5b6v7c2x3z4a5s6d7f2g3h';
const T = '2026-11-23T09:00:00+08:00';

const observation = (
  id: string,
  loinc: string,
  name: string,
  value: number,
  unit: string,
): fhir4.Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
    },
  ],
  code: { coding: [{ system: 'http://loinc.org', code: loinc, display: name }], text: name },
  subject: { reference: `Patient/${PK}` },
  effectiveDateTime: '2026-11-23T08:30:00+08:00',
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
  referenceRange: [{ low: { value: 3.5, unit }, high: { value: 5.3, unit } }],
});

const labReport: fhir4.DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'H001.A17',
  identifier: [{ system: 'urn:yilian:institution:H001:accession', value: 'A17' }],
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'CH' }] }],
  code: {
    coding: [{ system: 'urn:yilian:institution:H001:lab-code', code: 'BIOCHEM', display: '生化全项' }],
  },
  subject: { reference: `Patient/${PK}` },
  effectiveDateTime: '2026-11-23T08:00:00+08:00',
  issued: '2026-11-23T09:00:00+08:00',
  performer: [{ reference: 'Organization/H001', display: '第一人民医院' }],
  result: [{ reference: 'Observation/H001.A17.1' }, { reference: 'Observation/H001.A17.2' }],
};

const wado: fhir4.Endpoint = {
  resourceType: 'Endpoint',
  id: 'wado',
  status: 'active',
  connectionType: {
    system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
    code: 'dicom-wado-rs',
  },
  payloadType: [{ text: 'DICOM' }],
  address: 'https://pacs.s001.example/dicomweb',
};

const imagingStudy: fhir4.ImagingStudy = {
  resourceType: 'ImagingStudy',
  id: 'S001.CT2026001',
  contained: [wado],
  identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.840.113619.2.55.3.604688119.969.1' }],
  status: 'available',
  modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
  subject: { reference: `Patient/${PK}` },
  started: '2026-11-22T15:10:00+08:00',
  endpoint: [{ reference: '#wado' }],
  numberOfSeries: 2,
  numberOfInstances: 240,
  description: '胸部CT平扫',
};

const imagingReport: fhir4.DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'S001.CT2026001.report',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '24627-2', display: 'Chest CT' }] },
  subject: { reference: `Patient/${PK}` },
  issued: '2026-11-22T17:00:00+08:00',
  performer: [{ reference: 'Organization/S001' }],
  resultsInterpreter: [{ reference: 'Organization/H001', display: '医学影像会诊中心' }],
  imagingStudy: [{ reference: 'ImagingStudy/S001.CT2026001' }],
  conclusion: '双肺未见明显异常。',
};

const serviceRequest: fhir4.ServiceRequest = {
  resourceType: 'ServiceRequest',
  id: 'C001.O20261123001',
  identifier: [{ system: 'urn:yilian:institution:C001:placer', value: 'O20261123001' }],
  status: 'active',
  intent: 'order',
  code: {
    coding: [{ system: 'http://loinc.org', code: '24323-8', display: 'Comprehensive metabolic panel' }],
  },
  subject: { reference: `Patient/${PK}` },
  authoredOn: '2026-11-23T08:00:00+08:00',
};

const reasonCode = [
  { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I21.9', display: '急性心肌梗死' }] },
];

/** The lab report of the LabReportRecorded samples, v1 as it stands and v2 upcast from it. */
const labReportData: LabReportRecordedV1 = {
  report: labReport,
  observations: [
    observation('H001.A17.1', '2823-3', '钾', 4.1, 'mmol/L'),
    observation('H001.A17.2', '2951-2', '钠', 140, 'mmol/L'),
  ],
  specimens: [{ resourceType: 'Specimen', id: 'H001.A17.s', type: { text: '血清' } }],
  performer: 'H001',
  accession: 'A17',
};

export const EVENT_SAMPLES: readonly EventSample[] = [
  // results
  {
    type: 'LabReportRecorded',
    schemaVersion: 1,
    stream: 'labreport-H001-A17',
    institution: 'H001',
    patientKey: PK,
    data: labReportData,
  },
  {
    type: 'LabReportRecorded',
    schemaVersion: 2,
    stream: 'labreport-H001-A17',
    institution: 'H001',
    patientKey: PK,
    data: upcastLabReportRecordedV1(labReportData),
  },
  {
    type: 'ImagingStudyRecorded',
    schemaVersion: 1,
    stream: 'imaging-S001-CT2026001',
    institution: 'S001',
    patientKey: PK,
    data: {
      study: imagingStudy,
      performer: 'S001',
      accession: 'CT2026001',
      studyInstanceUid: '1.2.840.113619.2.55.3.604688119.969.1',
      modalities: ['CT'],
      bodySite: [{ system: 'http://snomed.info/sct', code: '51185008', display: 'Chest' }],
    },
  },
  {
    type: 'ImagingReportRecorded',
    schemaVersion: 1,
    stream: 'imaging-S001-CT2026001',
    institution: 'H001',
    patientKey: PK,
    data: {
      report: imagingReport,
      performer: 'S001',
      reporter: 'H001',
      accession: 'CT2026001',
      performerBasis: 'study',
    },
  },
  {
    type: 'OrderRecorded',
    schemaVersion: 1,
    stream: 'order-C001-O20261123001',
    institution: 'C001',
    patientKey: PK,
    data: {
      serviceRequest,
      placer: 'C001',
      placerOrderNumber: 'O20261123001',
      orderControl: 'NW',
      messageType: 'OML^O21',
    },
  },
  // patients
  {
    type: 'PatientIdentifiersLinked',
    schemaVersion: 1,
    stream: `patient-${PK2}`,
    institution: 'H001',
    patientKey: PK2,
    data: { memberKey: PK2, patientKey: PK, institution: 'H001', reason: 'same-resident-id' },
  },
  {
    type: 'PatientIdentifiersUnlinked',
    schemaVersion: 1,
    stream: `patient-${PK2}`,
    institution: 'H001',
    patientKey: PK2,
    data: { memberKey: PK2, patientKey: PK, institution: 'H001' },
  },
  {
    type: 'PatientsMerged',
    schemaVersion: 1,
    stream: `patient-${PK2}`,
    institution: 'H001',
    patientKey: PK2,
    data: { survivorKey: PK, mergedKey: PK2, institution: 'H001' },
  },
  {
    type: 'PatientsUnmerged',
    schemaVersion: 1,
    stream: `patient-${PK2}`,
    institution: 'H001',
    patientKey: PK2,
    data: { survivorKey: PK, mergedKey: PK2, institution: 'H001' },
  },
  {
    type: 'PatientDemographicsRecorded',
    schemaVersion: 1,
    stream: `patient-${PK}`,
    institution: 'H001',
    patientKey: PK,
    data: {
      patientKey: PK,
      institution: 'H001',
      demographics: {
        name: [{ family: '王', given: ['小明'], text: '王小明' }],
        gender: 'male',
        birthDate: '1949-12-31',
      },
    },
  },
  // referrals
  {
    type: 'ReferralRequested',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'C-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      direction: 'upward',
      sender: 'C-01',
      receiver: 'H-01',
      allianceId: 'HZ-UG-1',
      patientKey: PK,
      priority: 'urgent',
      reasonCode,
      supportingInfo: ['DiagnosticReport/lab-77', 'labreport-C-01-A1001'],
      documents: [{ kind: 'other', reference: 'DocumentReference/ecg-3', title: '心电图' }],
      department: '心内科',
      requestedAt: '2026-03-02T09:00:00+08:00',
      responseHours: 48,
      deadline: '2026-03-04T01:00:00.000Z',
      serviceRequest: {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        priority: 'urgent',
        category: [
          { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] },
        ],
        subject: { reference: `Patient/${PK}` },
        reasonCode,
      },
    },
  },
  {
    type: 'ReferralModified',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'C-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      sender: 'C-01',
      modifiedAt: '2026-03-02T10:00:00.000Z',
      priority: 'asap',
      reasonCode,
      supportingInfo: ['DiagnosticReport/lab-77'],
      documents: [],
    },
  },
  {
    type: 'ReferralAccepted',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'H-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      receiver: 'H-01',
      acceptedAt: '2026-03-02T02:00:00.000Z',
      department: '心内科',
    },
  },
  {
    type: 'ReferralRejected',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'H-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      receiver: 'H-01',
      rejectedAt: '2026-03-02T02:00:00.000Z',
      reason: { code: 'other', text: '建议转往胸痛中心' },
    },
  },
  {
    type: 'ReferralScheduled',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'H-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      receiver: 'H-01',
      kind: 'admission',
      bookedFor: '2026-03-03T08:00:00+08:00',
      priorityChannel: true,
      department: '心内科',
      scheduledAt: '2026-03-02T03:00:00.000Z',
    },
  },
  {
    type: 'ReferralArrived',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'H-01',
    patientKey: PK,
    data: { referralId: 'ref-2026-0001', receiver: 'H-01', arrivedAt: '2026-03-03T00:10:00.000Z' },
  },
  {
    type: 'ReferralCompleted',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'H-01',
    patientKey: PK,
    data: { referralId: 'ref-2026-0001', receiver: 'H-01', completedAt: '2026-03-09T02:00:00.000Z' },
  },
  {
    type: 'ReferralCancelled',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'C-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      sender: 'C-01',
      cancelledAt: '2026-03-02T04:00:00.000Z',
      reason: '患者拒绝转诊',
    },
  },
  {
    type: 'ReferralExpired',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0001',
    institution: 'C-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0001',
      deadline: '2026-03-04T01:00:00.000Z',
      expiredAt: '2026-03-04T01:00:05.000Z',
    },
  },
  {
    type: 'DownwardReferralAcknowledged',
    schemaVersion: 1,
    stream: 'referral-ref-2026-0002',
    institution: 'C-01',
    patientKey: PK,
    data: {
      referralId: 'ref-2026-0002',
      receiver: 'C-01',
      acknowledgedAt: '2026-03-12T02:00:00.000Z',
      note: '已建立家庭医生随访',
    },
  },
  // alliance
  {
    type: 'AllianceRegistered',
    schemaVersion: 1,
    stream: 'alliance-HZ-UG-1',
    institution: 'HZ-OPS',
    data: {
      allianceId: 'HZ-UG-1',
      name: '杭州东部城市医疗集团',
      form: 'urban-group',
      referralResponseHours: 48,
      registeredAt: '2026-01-05T02:00:00.000Z',
    },
  },
  {
    type: 'InstitutionJoinedAlliance',
    schemaVersion: 1,
    stream: 'alliance-HZ-UG-1',
    institution: 'HZ-OPS',
    data: {
      allianceId: 'HZ-UG-1',
      institution: 'H-01',
      name: '第一人民医院',
      level: 'tertiary',
      role: 'lead',
      joinedAt: '2026-01-05T02:00:00.000Z',
    },
  },
  {
    type: 'InstitutionLeftAlliance',
    schemaVersion: 1,
    stream: 'alliance-HZ-UG-1',
    institution: 'HZ-OPS',
    data: {
      allianceId: 'HZ-UG-1',
      institution: 'C-09',
      leftAt: '2026-06-30T16:00:00.000Z',
      reason: '机构合并',
    },
  },
  {
    type: 'OutpatientVolumeReported',
    schemaVersion: 1,
    stream: 'institution-C001',
    institution: 'C001',
    data: { institution: 'C001', day: '2026-11-22', visits: 812, reportedAt: T },
  },
  {
    type: 'OutpatientVolumeReported',
    schemaVersion: 2,
    stream: 'institution-C001',
    institution: 'C001',
    data: {
      institution: 'C001',
      day: '2026-11-22',
      visits: { total: 812, outpatient: 790, emergency: 22 },
      reportedAt: T,
    },
  },
  // recognition
  {
    type: 'RecognitionScopeDefined',
    schemaVersion: 1,
    stream: 'recognition-scope-province:42',
    institution: 'HB-WJW',
    data: {
      scope: 'province:42',
      kind: 'province',
      name: '湖北省',
      mark: '鄂HR',
      higherAcceptsLower: false,
      tight: false,
      members: [
        { institution: 'H001', level: 'tertiary' },
        { institution: 'S001', level: 'secondary' },
      ],
      effectiveFrom: '2023-07-01',
    },
  },
  {
    type: 'RecognitionCatalogueItemsPublished',
    schemaVersion: 1,
    stream: 'recognition-catalogue-province:42',
    institution: 'HB-WJW',
    data: {
      scope: 'province:42',
      effectiveFrom: '2023-07-01',
      source: '鄂卫通〔2023〕56号',
      items: [
        {
          code: 'K',
          name: '血清钾',
          kind: 'lab',
          validityDays: 7,
          priceYuan: 5,
          group: 'biochemistry',
          loinc: ['2823-3'],
        },
        {
          code: 'CT-CHEST',
          name: '胸部CT平扫',
          kind: 'imaging',
          validityDays: 30,
          priceYuan: 180,
          group: 'CT',
          modalities: ['CT'],
          bodySites: ['胸部'],
        },
      ],
    },
  },
  {
    type: 'RecognitionCatalogueItemsWithdrawn',
    schemaVersion: 1,
    stream: 'recognition-catalogue-province:42',
    institution: 'HB-WJW',
    data: {
      scope: 'province:42',
      effectiveFrom: '2024-01-01',
      source: '鄂卫通〔2023〕90号',
      itemCodes: ['K'],
    },
  },
  {
    type: 'QualityStatusRecorded',
    schemaVersion: 1,
    stream: 'recognition-quality-H001',
    institution: 'HB-LCC',
    data: {
      statusId: 'EQA-2026-H001-1',
      institution: 'H001',
      groups: ['biochemistry'],
      scheme: 'EQA',
      issuer: '湖北省临床检验中心',
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
    },
  },
  {
    type: 'QualityStatusRevoked',
    schemaVersion: 1,
    stream: 'recognition-quality-H001',
    institution: 'HB-LCC',
    data: {
      statusId: 'EQA-2026-H001-1',
      institution: 'H001',
      revokedFrom: '2026-09-01',
      reason: '室间质评不合格',
    },
  },
  {
    type: 'RecognitionCodesMapped',
    schemaVersion: 1,
    stream: 'recognition-codemap-H001',
    institution: 'H001',
    data: {
      institution: 'H001',
      mappings: [
        { code: 'K', system: 'urn:yilian:institution:H001:lab-code', itemCode: 'K' },
        { code: 'NA', system: 'urn:yilian:institution:H001:lab-code' },
      ],
    },
  },
  {
    type: 'RecognitionDecisionRecorded',
    schemaVersion: 1,
    stream: 'recognition-decision-S001-0123456789abcdef0123456789abcdef',
    institution: 'S001',
    patientKey: PK,
    data: {
      institution: 'S001',
      practitioner: 'D-1024',
      encounter: 'V20261123-77',
      resultStream: 'labreport-H001-A17',
      resultVersion: 1,
      resource: 'DiagnosticReport/H001.A17',
      performer: 'H001',
      items: [{ code: 'K', name: '血清钾', priceYuan: 5 }],
      decision: 'declined',
      reason: {
        system: 'urn:yilian:recognition:decline-reason',
        code: 'clinical-change',
        display: '病情变化',
      },
      text: '患者近两日病情变化，需复查',
      scope: { code: 'province:42', mark: '鄂HR' },
      validUntil: '2026-11-29',
      version: 1,
      decidedAt: '2026-11-24T09:30:00+08:00',
    },
  },
  {
    type: 'ResultRetrieved',
    schemaVersion: 1,
    stream: 'recognition-retrievals-S001-20261124',
    institution: 'S001',
    patientKey: PK,
    data: {
      serial: 'S001-20261124-000001',
      sequence: 1,
      day: '2026-11-24',
      institution: 'S001',
      actor: 's001-his',
      channel: 'fhir-read',
      resource: 'DiagnosticReport/H001.A17',
      performer: 'H001',
      retrievedAt: '2026-11-24T09:29:00+08:00',
    },
  },
];
