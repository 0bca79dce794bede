import type { fhir4 } from '@yilian/contracts';

/** A valid resident ID number (GB 11643 check character X). */
export const SAMPLE_RESIDENT_ID = '11010519491231002X';

const ANALYTES: ReadonlyArray<[string, string, string, string, number, string]> = [
  ['K', '2823-3', '钾', 'mmol/L', 4.1, '3.5-5.3'],
  ['NA', '2951-2', '钠', 'mmol/L', 140, '137-147'],
  ['CL', '2075-0', '氯', 'mmol/L', 102, '99-110'],
  ['CA', '17861-6', '钙', 'mmol/L', 2.3, '2.11-2.52'],
  ['MG', '19123-9', '镁', 'mmol/L', 0.9, '0.75-1.02'],
  ['GLU', '2345-7', '葡萄糖', 'mmol/L', 5.4, '3.9-6.1'],
  ['TP', '2885-2', '总蛋白', 'g/L', 70, '65-85'],
  ['ALB', '1751-7', '白蛋白', 'g/L', 42, '40-55'],
  ['TBIL', '1975-2', '总胆红素', 'umol/L', 12, '0-21'],
  ['ALT', '1742-6', '丙氨酸氨基转移酶', 'U/L', 25, '9-50'],
  ['AST', '1920-8', '天门冬氨酸氨基转移酶', 'U/L', 22, '15-40'],
  ['CREA', '2160-0', '肌酐', 'umol/L', 80, '57-111'],
  ['UREA', '3091-6', '尿素', 'mmol/L', 5.2, '3.1-8.0'],
  ['TG', '2571-8', '甘油三酯', 'mmol/L', 1.3, '0-1.7'],
  ['CHOL', '2093-3', '总胆固醇', 'mmol/L', 4.6, '0-5.2'],
];

/** An ORU^R01 v2.5.1 lab result: 1 OBR and `count` OBX (≤15), realistic size, CR-separated. */
export function oruR01(opts: {
  controlId: string;
  accession: string;
  residentId?: string;
  mrn?: string;
  status?: 'F' | 'P' | 'C' | 'X';
  count?: number;
  potassium?: number;
  /** MSH-15 / MSH-16: both empty (the default) is original acknowledgement mode. */
  accept?: 'AL' | 'NE' | 'ER' | 'SU';
  application?: 'AL' | 'NE' | 'ER' | 'SU';
}): string {
  const status = opts.status ?? 'F';
  const pid3 = [
    ...(opts.mrn ? [`${opts.mrn}^^^HIS^MR`] : []),
    ...(opts.residentId ? [`${opts.residentId}^^^NNCHN^NNCHN`] : []),
  ].join('~');
  const obx = ANALYTES.slice(0, opts.count ?? 15).map(([code, loinc, name, unit, value, range], i) => {
    const v = code === 'K' && opts.potassium !== undefined ? opts.potassium : value;
    return `OBX|${i + 1}|NM|${code}^${name}^L^${loinc}^${name}^LN||${v}|${unit}|${range}|N|||${status}|||20261123083000+0800||检验科^张三`;
  });
  return [
    `MSH|^~\\&|LIS|H001|YILIAN|HUB|20261123090000+0800||ORU^R01^ORU_R01|${opts.controlId}|P|2.5.1|||${opts.accept ?? ''}|${opts.application ?? ''}||UNICODE UTF-8`,
    `PID|1||${pid3}||王^小明||19491231|M|||北京市西城区^^北京^^100000`,
    `PV1|1|O|内科门诊`,
    `ORC|RE|${opts.accession}|${opts.accession}`,
    `OBR|1|${opts.accession}|${opts.accession}|BIOCHEM^生化全项^L|||20261123080000+0800|||||||||^李医生||||||20261123090000+0800|||${status}`,
    ...obx,
  ].join('\r');
}

/** A FHIR R4 transaction Bundle: one DiagnosticReport and its Observations, with a Patient. */
export function labReportBundle(opts: {
  accession: string;
  /** The sending institution, whose namespaces the identifiers use (default: the MRN's, else H001). */
  institution?: string;
  residentId?: string;
  mrn?: { institution: string; value: string };
  status?: 'final' | 'preliminary' | 'corrected' | 'amended' | 'entered-in-error';
  potassium?: number;
}): fhir4.Bundle {
  const status = opts.status ?? 'final';
  const sender = opts.institution ?? opts.mrn?.institution ?? 'H001';
  const observations: fhir4.Observation[] = ANALYTES.slice(0, 3).map(([code, loinc, name, unit, value]) => ({
    resourceType: 'Observation',
    status:
      status === 'entered-in-error' ? 'entered-in-error' : status === 'preliminary' ? 'preliminary' : 'final',
    code: {
      coding: [
        { system: 'http://loinc.org', code: loinc, display: name },
        { system: `urn:yilian:institution:${sender}:lab-code`, code, display: name },
      ],
      text: name,
    },
    subject: { reference: 'urn:uuid:9b0f1c5e-0000-4000-8000-000000000001' },
    effectiveDateTime: '2026-11-23T08:00:00+08:00',
    valueQuantity: {
      value: code === 'K' && opts.potassium !== undefined ? opts.potassium : value,
      unit,
      system: 'http://unitsofmeasure.org',
      code: unit,
    },
  }));
  const obsUrls = observations.map((_, i) => `urn:uuid:9b0f1c5e-0000-4000-8000-00000000010${i}`);
  const identifiers: fhir4.Identifier[] = [
    ...(opts.residentId ? [{ system: 'urn:oid:2.16.156.10011.1.3', value: opts.residentId }] : []),
    ...(opts.mrn
      ? [{ system: `urn:yilian:institution:${opts.mrn.institution}:mrn`, value: opts.mrn.value }]
      : []),
  ];
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:9b0f1c5e-0000-4000-8000-000000000001',
        resource: { resourceType: 'Patient', identifier: identifiers } as fhir4.Patient,
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: 'urn:uuid:9b0f1c5e-0000-4000-8000-000000000002',
        resource: {
          resourceType: 'DiagnosticReport',
          identifier: [{ system: `urn:yilian:institution:${sender}:accession`, value: opts.accession }],
          status,
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
          code: { coding: [{ system: 'http://loinc.org', code: '24323-8', display: '生化全项' }] },
          subject: { reference: 'urn:uuid:9b0f1c5e-0000-4000-8000-000000000001' },
          effectiveDateTime: '2026-11-23T08:00:00+08:00',
          issued: '2026-11-23T09:00:00+08:00',
          result: obsUrls.map((reference) => ({ reference })),
        } as fhir4.DiagnosticReport,
        request: { method: 'POST', url: 'DiagnosticReport' },
      },
      ...observations.map((resource, i) => ({
        fullUrl: obsUrls[i]!,
        resource,
        request: { method: 'POST' as const, url: 'Observation' },
      })),
    ],
  };
}
