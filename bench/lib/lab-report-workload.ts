/* A realistic intake workload: complete blood counts (血常规) as a LIS would send them, one
 * LabReportRecorded per report, ≈5 KB of FHIR R4 JSON with Chinese display text. */
import type { fhir4, LabReportRecordedV1, NewEvent } from '@yilian/contracts';
import { LAB_REPORT_RECORDED, labReportStream } from '@yilian/contracts';
import { deterministicEventId } from '@yilian/event-store';

const INSTITUTIONS = ['H001', 'H002', 'H003', 'C101', 'C102', 'C103', 'C104', 'C105'] as const;
const DISPLAY: Record<string, string> = {
  H001: '市第一人民医院',
  H002: '市中医院',
  H003: '市妇幼保健院',
  C101: '城东社区卫生服务中心',
  C102: '城西社区卫生服务中心',
  C103: '南湖街道社区卫生服务中心',
  C104: '北塘镇卫生院',
  C105: '西山乡卫生院',
};

interface Analyte {
  readonly loinc: string;
  readonly local: string;
  readonly name: string;
  readonly unit: string;
  readonly low: number;
  readonly high: number;
  readonly decimals: number;
}

const CBC: readonly Analyte[] = [
  { loinc: '6690-2', local: 'WBC', name: '白细胞计数', unit: '10*9/L', low: 3.5, high: 9.5, decimals: 2 },
  { loinc: '789-8', local: 'RBC', name: '红细胞计数', unit: '10*12/L', low: 4.3, high: 5.8, decimals: 2 },
  { loinc: '718-7', local: 'HGB', name: '血红蛋白', unit: 'g/L', low: 130, high: 175, decimals: 0 },
  { loinc: '4544-3', local: 'HCT', name: '红细胞压积', unit: '%', low: 40, high: 50, decimals: 1 },
  { loinc: '787-2', local: 'MCV', name: '平均红细胞体积', unit: 'fL', low: 82, high: 100, decimals: 1 },
  {
    loinc: '785-6',
    local: 'MCH',
    name: '平均红细胞血红蛋白含量',
    unit: 'pg',
    low: 27,
    high: 34,
    decimals: 1,
  },
  {
    loinc: '786-4',
    local: 'MCHC',
    name: '平均红细胞血红蛋白浓度',
    unit: 'g/L',
    low: 316,
    high: 354,
    decimals: 0,
  },
  { loinc: '788-0', local: 'RDW-CV', name: '红细胞分布宽度', unit: '%', low: 11.5, high: 14.5, decimals: 1 },
  { loinc: '777-3', local: 'PLT', name: '血小板计数', unit: '10*9/L', low: 125, high: 350, decimals: 0 },
  { loinc: '770-8', local: 'NEUT%', name: '中性粒细胞百分比', unit: '%', low: 40, high: 75, decimals: 1 },
  { loinc: '736-9', local: 'LYMPH%', name: '淋巴细胞百分比', unit: '%', low: 20, high: 50, decimals: 1 },
  { loinc: '5905-5', local: 'MONO%', name: '单核细胞百分比', unit: '%', low: 3, high: 10, decimals: 1 },
  { loinc: '713-8', local: 'EO%', name: '嗜酸性粒细胞百分比', unit: '%', low: 0.4, high: 8, decimals: 1 },
  { loinc: '706-2', local: 'BASO%', name: '嗜碱性粒细胞百分比', unit: '%', low: 0, high: 1, decimals: 1 },
  {
    loinc: '751-8',
    local: 'NEUT#',
    name: '中性粒细胞绝对值',
    unit: '10*9/L',
    low: 1.8,
    high: 6.3,
    decimals: 2,
  },
];

/** Small deterministic PRNG (mulberry32): the same seed gives the same workload. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LabReportStreamId {
  readonly stream: string;
  readonly institution: string;
  readonly accession: string;
}

export function labReportStreamId(kind: string, index: number): LabReportStreamId {
  const institution = INSTITUTIONS[index % INSTITUTIONS.length]!;
  const accession = `${kind}${String(index).padStart(8, '0')}`;
  return { stream: labReportStream(institution, accession), institution, accession };
}

function observation(a: Analyte, ctx: { id: string; rnd: () => number }): fhir4.Observation {
  const span = a.high - a.low;
  const value = Number((a.low - span * 0.2 + ctx.rnd() * span * 1.4).toFixed(a.decimals));
  const flag = value < a.low ? 'L' : value > a.high ? 'H' : 'N';
  const flagText = flag === 'L' ? '偏低' : flag === 'H' ? '偏高' : '正常';
  return {
    resourceType: 'Observation',
    id: `${ctx.id}-${a.local}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: a.loinc, display: a.name }] },
    valueQuantity: { value, unit: a.unit },
    interpretation: [{ coding: [{ code: flag }], text: flagText }],
    referenceRange: [{ text: `${a.low}-${a.high} ${a.unit}` }],
  };
}

/** The `sequence`-th version of the report in `id.stream` (0: first issue, then corrections). */
export function labReportEvent(id: LabReportStreamId, sequence: number): NewEvent {
  const rnd = random(Number.parseInt(id.accession.replace(/\D/g, '').slice(-8) || '0', 10) * 31 + sequence);
  const messageId = `${id.accession}-${sequence}`;
  const day = 1 + Math.floor(rnd() * 28);
  const issued = `2026-11-${String(day).padStart(2, '0')}T0${Math.floor(rnd() * 10)}:${String(
    Math.floor(rnd() * 60),
  ).padStart(2, '0')}:00+08:00`;
  const patient = `pt-${Math.floor(rnd() * 1e9).toString(36)}`;
  const ctx = { id: id.accession, rnd };
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: id.accession,
    identifier: [{ system: `urn:yilian:lis:${id.institution}:accession`, value: id.accession }],
    status: sequence === 0 ? 'final' : 'corrected',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'HM', display: '血液学' }],
      },
    ],
    code: {
      coding: [{ system: 'http://loinc.org', code: '58410-2', display: '全血细胞计数（血常规）' }],
      text: '血常规（五分类）',
    },
    subject: { reference: `Patient/${patient}`, display: '患者' },
    effectiveDateTime: issued,
    issued,
    performer: [{ identifier: { value: id.institution }, display: DISPLAY[id.institution] }],
    result: CBC.map((a) => ({ reference: `Observation/${id.accession}-${a.local}` })),
    conclusion:
      sequence === 0 ? '血常规未见明显异常，请结合临床。' : '更正：复核后修订部分结果，请以本报告为准。',
  };
  const data: LabReportRecordedV1 = {
    report,
    observations: CBC.map((a) => observation(a, ctx)),
    performer: id.institution,
    accession: id.accession,
  };
  return {
    id: deterministicEventId(id.institution, messageId),
    type: LAB_REPORT_RECORDED,
    schemaVersion: 1,
    data,
    metadata: {
      source: { institution: id.institution, messageId, protocol: 'hl7v2' },
      patientKey: `pk-${patient}`,
      correlationId: deterministicEventId('correlation', id.institution, messageId),
      occurredAt: issued,
    },
  };
}
