/**
 * The report → DiagnosticReport (category RAD): text OBX (TX / FT / ST) split into findings
 * and impression (`reportSectionOf`); the impression is `conclusion`, coded OBX (CE / CWE) are
 * `conclusionCode`, the whole text (each part under its OBX-3 label) is `presentedForm`
 * (text/plain, UTF-8). OBX that carry study facts (UID, counts, modality, RP) are not report
 * text. From ORU^R01: code OBR-4, status OBR-25 (else OBX-11), effective OBR-7, issued OBR-22,
 * radiologist OBR-32. From MDM^T02: see mapDocumentReport.
 */
import type * as fhir4 from 'fhir/r4';
import { codeableConcept } from '../coding';
import { HL7_ERROR } from '../hl7-error';
import { componentsOf, repetitionCount, repetitionText, textComponent } from '../hl7-fields';
import { parseHl7DateTime } from '../hl7-datetime';
import type { LabReportStatus } from '../lab-report-draft';
import type { SegmentRef } from '../oru-r01.groups';
import { OBR_STATUS } from '../oru-r01.status';
import {
  DCM,
  dicomAttributeOf,
  MODALITIES,
  modalityOf,
  reportSectionOf,
  TABLE_0074_IMAGING,
} from './imaging-codes';
import type { ImagingDraft } from './imaging-draft';
import type { ImagingOrderGroup } from './imaging-groups';
import { personOf } from './imaging-order';
import { INTERPRETER_ROLES, participant } from '../participants';
import type { StudyEnv } from './imaging-study.map';

export type ReportDraft = NonNullable<ImagingDraft['report']>;

const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const TEXT_TYPES: ReadonlySet<string> = new Set(['TX', 'FT', 'ST']);
const CODED_TYPES: ReadonlySet<string> = new Set(['CE', 'CWE', 'CNE']);

export interface ReportContent {
  readonly conclusion?: string;
  readonly conclusionCode?: fhir4.CodeableConcept[];
  readonly presentedForm?: fhir4.Attachment[];
  /** OBX-11 of the report's OBX, for a status when none is given for the report. */
  readonly statuses: string[];
}

/** The report text and codes of a group of OBX. */
export function reportContent(
  observations: readonly SegmentRef[],
  env: StudyEnv,
  title: string,
): ReportContent {
  const parts: string[] = [];
  const impressions: string[] = [];
  const codes: fhir4.CodeableConcept[] = [];
  const statuses: string[] = [];
  for (const obx of observations) {
    const seg = obx.segment;
    if (dicomAttributeOf(textComponent(seg, 3, 1))) continue;
    const type = textComponent(seg, 2, 1).toUpperCase();
    if (TEXT_TYPES.has(type)) {
      const lines: string[] = [];
      for (let r = 1; r <= repetitionCount(seg, 5); r++) lines.push(repetitionText(seg, 5, r));
      const text = lines.join('\n').trim();
      if (!text) continue;
      const label = textComponent(seg, 3, 2) || textComponent(seg, 3, 1);
      parts.push(label ? `${label}：\n${text}` : text);
      if (reportSectionOf(textComponent(seg, 3, 1), label) === 'impression') impressions.push(text);
    } else if (CODED_TYPES.has(type)) {
      const concept = codeableConcept(componentsOf(seg, 5, 1), env.institution);
      if (concept) codes.push(concept);
    } else continue;
    const status = textComponent(seg, 11, 1).toUpperCase();
    if (status) statuses.push(status);
  }
  const whole = parts.join('\n\n');
  return {
    ...(impressions.length > 0 ? { conclusion: impressions.join('\n') } : {}),
    ...(codes.length > 0 ? { conclusionCode: codes } : {}),
    ...(whole
      ? {
          presentedForm: [
            {
              contentType: 'text/plain; charset=utf-8',
              data: Buffer.from(whole, 'utf8').toString('base64'),
              title,
            },
          ],
        }
      : {}),
    statuses,
  };
}

/** RAD, then OBR-24 as a table 0074 section, else the study's DICOM modality. */
export function category(section: string, modality?: string): fhir4.CodeableConcept[] {
  const rad: fhir4.CodeableConcept = { coding: [{ system: V2_0074, code: 'RAD', display: 'Radiology' }] };
  const s = section.toUpperCase();
  if (s && s !== 'RAD' && TABLE_0074_IMAGING.has(s)) return [rad, { coding: [{ system: V2_0074, code: s }] }];
  const dicom = modalityOf(s) ?? modality;
  return dicom ? [rad, { coding: [{ system: DCM, code: dicom, display: MODALITIES[dicom] }] }] : [rad];
}

/** A date/time field: FHIR dateTime and, with a time, instant; pushes 102 when it is not one. */
export function timeAt(ref: SegmentRef, field: number, env: StudyEnv, component = 1) {
  const text = textComponent(ref.segment, field, component);
  if (!text) return undefined;
  const parsed = parseHl7DateTime(text, env.defaultUtcOffset);
  if (parsed) return parsed;
  const where = {
    segment: ref.segment.name,
    sequence: ref.sequence,
    field,
    ...(component > 1 ? { component } : {}),
  };
  const message = `${ref.segment.name}-${field}${component > 1 ? `.${component}` : ''} is not a date/time`;
  env.errors.push({ ...where, code: HL7_ERROR.dataType, message });
  return undefined;
}

/** ORU^R01: the report of one OBR group. */
export function mapResultReport(
  group: ImagingOrderGroup & { obr: SegmentRef },
  modality: string | undefined,
  env: StudyEnv,
): ReportDraft {
  const obr = group.obr;
  const at = { segment: 'OBR', sequence: obr.sequence };
  const code = codeableConcept(componentsOf(obr.segment, 4), env.institution);
  if (!code)
    env.errors.push({
      ...at,
      field: 4,
      code: HL7_ERROR.requiredFieldMissing,
      message: 'OBR-4 (the examination) is missing',
    });
  const content = reportContent(group.observations, env, textComponent(obr.segment, 4, 2) || '检查报告');
  const sent = textComponent(obr.segment, 25, 1).toUpperCase() || content.statuses[0] || '';
  let status: LabReportStatus | undefined = OBR_STATUS[sent];
  if (!status) {
    const message = sent
      ? `OBR-25 (result status) ${sent.slice(0, 4)} is not in table 0123`
      : 'OBR-25 (result status) is empty and no OBX-11 gives one';
    env.errors.push({
      ...at,
      field: 25,
      code: sent ? HL7_ERROR.tableValueNotFound : HL7_ERROR.requiredFieldMissing,
      message,
    });
    status = 'final';
  }
  const effective = timeAt(obr, 7, env)?.dateTime;
  const issued = timeAt(obr, 22, env)?.instant;
  const interpreter =
    personOf(obr, 32, env.institution, true) ??
    participant(group.participants, INTERPRETER_ROLES, env.institution);
  const { statuses: _statuses, ...text } = content;
  return {
    resourceType: 'DiagnosticReport',
    status,
    category: category(textComponent(obr.segment, 24, 1), modality),
    code: code ?? {},
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(issued ? { issued } : {}),
    ...(interpreter ? { resultsInterpreter: [interpreter] } : {}),
    ...text,
  };
}
