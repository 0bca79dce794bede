/**
 * What makes an HL7 v2 order or result an imaging one, and the DICOM facts an OBX can carry.
 *
 * Diagnostic service sections (OBR-24, HL7 table 0074) of imaging: RAD, RX, CT, NMR, NMS,
 * RUS, CUS, OUS, VUS, XRC; and — since Chinese RIS put the DICOM modality there — any DICOM
 * modality code (CT, MR, US, DX, CR, DR, MG, RF, XA, NM, PT, ES, OP, IO, PX, XC, BMD, OCT).
 * Lab sections (LAB, HM, CH, MB, BLB, SR …) are none of these.
 */
export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

/** DICOM modality codes (PS3.16 CID 29) the hub recognises, with their display. */
export const MODALITIES: Readonly<Record<string, string>> = {
  CT: 'Computed Tomography',
  MR: 'Magnetic Resonance',
  US: 'Ultrasound',
  DX: 'Digital Radiography',
  CR: 'Computed Radiography',
  MG: 'Mammography',
  RF: 'Radio Fluoroscopy',
  XA: 'X-Ray Angiography',
  NM: 'Nuclear Medicine',
  PT: 'Positron emission tomography',
  ES: 'Endoscopy',
  OP: 'Ophthalmic Photography',
  IO: 'Intra-oral Radiography',
  PX: 'Panoramic X-Ray',
  XC: 'External-camera Photography',
  BMD: 'Bone Mineral Densitometry',
  OCT: 'Optical Coherence Tomography',
};

/** Sections and local spellings → DICOM modality: DR (数字化X线, as Chinese RIS say) is DX;
 * table 0074's NMR is MR, NMS is NM, the ultrasound sections are US, XRC is XA. */
const SECTION_MODALITY: Readonly<Record<string, string>> = {
  DR: 'DX',
  NMR: 'MR',
  NMS: 'NM',
  RUS: 'US',
  CUS: 'US',
  OUS: 'US',
  VUS: 'US',
  XRC: 'XA',
  PET: 'PT',
};

/** The imaging sections of HL7 table 0074. */
export const TABLE_0074_IMAGING: ReadonlySet<string> = new Set([
  'RAD',
  'RX',
  'CT',
  'NMR',
  'NMS',
  'RUS',
  'CUS',
  'OUS',
  'VUS',
  'XRC',
]);

/** True when OBR-24 names an imaging section or a modality. */
export function isImagingSection(section: string): boolean {
  const s = section.toUpperCase();
  return TABLE_0074_IMAGING.has(s) || modalityOf(s) !== undefined;
}

/** The DICOM modality a section or modality code stands for; undefined for RAD, RX, unknown. */
export function modalityOf(code: string): string | undefined {
  const c = code.toUpperCase();
  if (c in MODALITIES) return c;
  return SECTION_MODALITY[c];
}

/** A DICOM attribute an OBX names in OBX-3.1: by keyword, or by tag as `0020000D`,
 * `0020,000D` or `(0020,000D)`. */
export type DicomAttribute = 'studyUid' | 'modality' | 'seriesCount' | 'instanceCount' | 'bodyPart';

const ATTRIBUTES: Readonly<Record<string, DicomAttribute>> = {
  STUDYINSTANCEUID: 'studyUid',
  '0020000D': 'studyUid',
  '113014': 'studyUid',
  MODALITY: 'modality',
  MODALITIESINSTUDY: 'modality',
  '00080060': 'modality',
  '00080061': 'modality',
  NUMBEROFSTUDYRELATEDSERIES: 'seriesCount',
  '00201206': 'seriesCount',
  NUMBEROFSTUDYRELATEDINSTANCES: 'instanceCount',
  '00201208': 'instanceCount',
  BODYPARTEXAMINED: 'bodyPart',
  '00180015': 'bodyPart',
};

export function dicomAttributeOf(obx3: string): DicomAttribute | undefined {
  const key = obx3.toUpperCase().replace(/[(),\s]/g, '');
  return ATTRIBUTES[key];
}

/** A DICOM UID: dotted digits, at most 64 characters (PS3.5 9.1). */
export const DICOM_UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isDicomUid(value: string): boolean {
  return value.length <= 64 && DICOM_UID.test(value);
}

/** Which part of a report an OBX of text is: the impression (诊断意见 / 印象 / 结论) or the
 * findings (所见 / 表现), by OBX-3 code (local IMP / GDT, LOINC, DICOM CID 7001) or label. */
export function reportSectionOf(code: string, label: string): 'impression' | 'findings' {
  const c = code.toUpperCase();
  if (['IMP', '19005-8', '121072', '121073', '121076', '121077', 'CONCLUSION'].includes(c))
    return 'impression';
  if (['GDT', '18782-3', '59776-5', '121070', '121071', 'FINDINGS'].includes(c)) return 'findings';
  return /诊断|印象|结论|意见|提示|impression|conclusion/i.test(label) ? 'impression' : 'findings';
}
