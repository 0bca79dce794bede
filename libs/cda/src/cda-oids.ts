/**
 * The OIDs a WS/T 500-2016 document uses (as far as this hub could establish them; see
 * libs/cda/README.md for what was verified and what was not).
 */

/** CDA R2 typeId (POCD_MT000040). */
export const CDA_TYPE_ID = { root: '2.16.840.1.113883.1.3', extension: 'POCD_MT000040' } as const;

/** WS/T 500 document templates (卫生信息共享文档模板), 2.16.156.10011.2.1.1.{20 + part}. */
export const TEMPLATES = {
  /** Part 6 检查记录 / 检查报告 (examination report), document type C0006. */
  examination: { templateId: '2.16.156.10011.2.1.1.26', code: 'C0006', part: 6, title: '检查报告' },
  /** Part 7 检验记录 / 检验报告 (lab report), document type C0007. */
  lab: { templateId: '2.16.156.10011.2.1.1.27', code: 'C0007', part: 7, title: '检验报告' },
} as const;
export type CdaTemplateKind = keyof typeof TEMPLATES;

/** 卫生信息共享文档规范编码体系: the document type code system. */
export const DOCUMENT_TYPE_SYSTEM = '2.16.156.10011.2.4';
/** 卫生信息数据元目录 (WS 363): data element codes DE… */
export const DATA_ELEMENT_SYSTEM = '2.16.156.10011.2.2.1';

/** Identifier roots (2.16.156.10011.1.x). */
export const ID_ROOTS = {
  document: '2.16.156.10011.1.1',
  residentId: '2.16.156.10011.1.3',
  staff: '2.16.156.10011.1.4',
  organization: '2.16.156.10011.1.5',
  outpatientNumber: '2.16.156.10011.1.11',
  inpatientNumber: '2.16.156.10011.1.12',
  specimenNumber: '2.16.156.10011.1.14',
  requestNumber: '2.16.156.10011.1.24',
  examinationReportNumber: '2.16.156.10011.1.32',
  labReportNumber: '2.16.156.10011.1.33',
} as const;

/** Data elements (WS 363 / 364) read from the body. */
export const DE = {
  method: 'DE02.10.027.00', // 检验/检查方法名称
  category: 'DE04.30.018.00', // 检验/检查类别
  item: 'DE04.30.019.00', // 检验/检查项目代码
  quantitative: 'DE04.30.015.00', // 检验/检查定量结果
  unit: 'DE04.30.016.00', // 定量结果计量单位
  resultCode: 'DE04.30.017.00', // 检验/检查结果代码 (table 2.16.156.10011.2.3.2.38)
  specimenType: 'DE04.50.134.00', // 标本类别
  specimenState: 'DE04.50.135.00', // 标本状态
  labConclusion: 'DE04.50.130.00', // 检验报告结果
  findings: 'DE04.50.131.00', // 检查报告结果-客观所见
  impression: 'DE04.50.132.00', // 检查报告结果-主观提示
  remarks: 'DE06.00.179.00', // 检验/检查报告备注
} as const;

export const LOINC_OID = '2.16.840.1.113883.6.1';
export const UCUM_OID = '2.16.840.1.113883.6.8';
export const OBSERVATION_INTERPRETATION_OID = '2.16.840.1.113883.5.83';
/** LOINC section codes: 实验室检查章节 (30954-2 Relevant diagnostic tests/laboratory data). */
export const LAB_SECTION_LOINC = '30954-2';
