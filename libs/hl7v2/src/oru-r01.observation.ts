/**
 * OBX (+ its NTEs) → FHIR Observation: status from OBX-11 (else the report's), category
 * laboratory, code from OBX-3 with every coding, value[x] from OBX-2 / OBX-5 / OBX-6,
 * referenceRange from OBX-7, interpretation from OBX-8, effective from OBX-14 (else OBR-7),
 * issued and performer as the report's, notes from the NTEs after it, specimen the SPM it
 * follows (or the report's only specimen).
 */
import type * as fhir4 from 'fhir/r4';
import { codeableConcept } from './coding';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { FROM_REPORT, type ObservationStatus } from './oru-r01.status';
import { componentsOf, repetitionCount, textComponent } from './hl7-fields';
import { parseHl7DateTime } from './hl7-datetime';
import type { LabReportStatus } from './lab-report-draft';
import type { ObservationGroup } from './oru-r01.groups';
import { interpretations, referenceRange } from './oru-r01.interpretation';
import { annotations, noteTexts } from './oru-r01.notes';
import { observationValue, unitOf } from './oru-r01.value';
import { OBSERVER_ROLES, participant } from './participants';
import { personOf } from './imaging/imaging-order';

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** A fresh object each time: a caller that edits one resource must not edit the others. */
function laboratory(): fhir4.CodeableConcept {
  return { coding: [{ system: CATEGORY_SYSTEM, code: 'laboratory', display: 'Laboratory' }] };
}

export interface ObservationEnv {
  readonly institution: string;
  readonly defaultUtcOffset: string;
  readonly errors: Hl7Error[];
  readonly reportStatus: LabReportStatus;
  readonly effective?: string;
  readonly issued?: string;
  /** `Organization/{institution}`. */
  readonly performer: string;
  /** References to the report's specimens (`Specimen/{id}`), by index. */
  readonly specimens: readonly string[];
  /** ED / RP values, collected for the report's `presentedForm`. */
  readonly attachments: fhir4.Attachment[];
}

export function mapObservation(
  group: ObservationGroup,
  id: string,
  explicitStatus: ObservationStatus | undefined,
  env: ObservationEnv,
): fhir4.Observation {
  const obx = group.obx.segment;
  const at = { segment: 'OBX', sequence: group.obx.sequence };
  const errors = env.errors;
  const code = codeableConcept(componentsOf(obx, 3), env.institution);
  if (!code)
    errors.push({
      ...at,
      field: 3,
      code: HL7_ERROR.requiredFieldMissing,
      message: 'OBX-3 (observation identifier) is missing',
    });
  const observation: fhir4.Observation = {
    resourceType: 'Observation',
    id,
    status: explicitStatus ?? FROM_REPORT[env.reportStatus],
    category: [laboratory()],
    code: code ?? {},
  };
  const effectiveText = textComponent(obx, 14, 1);
  const effective = effectiveText
    ? parseHl7DateTime(effectiveText, env.defaultUtcOffset)?.dateTime
    : env.effective;
  if (effectiveText && !effective) {
    errors.push({
      ...at,
      field: 14,
      code: HL7_ERROR.dataType,
      message: 'OBX-14 (observation date/time) is not a date/time',
    });
  }
  if (effective) observation.effectiveDateTime = effective;
  if (env.issued) observation.issued = env.issued;
  observation.performer = [{ reference: env.performer }];
  // OBX-16 (responsible observer), else a PRT RO / VP after the OBX (2.7+)
  if (obx.fields.length > 16 || group.participants?.length) {
    const observer =
      personOf(group.obx, 16, env.institution) ??
      participant(group.participants, OBSERVER_ROLES, env.institution);
    if (observer) observation.performer.push(observer);
  }

  const sentType = textComponent(obx, 2, 1).toUpperCase();
  const notes = noteTexts(group.notes);
  const hasValue = repetitionCount(obx, 5) > 0;
  // A value without its type (OBX-2 is conditional on OBX-11 ≠ X; some devices leave it out):
  // kept as text, as a type outside table 0125 is, and said so — never guessed a number.
  const valueType = sentType || (hasValue ? 'ST' : '');
  if (!sentType && hasValue) notes.push('OBX-2 (value type) not sent: the value is kept as text');
  if (valueType && hasValue) {
    const value = observationValue(valueType, {
      obx: group.obx,
      institution: env.institution,
      defaultUtcOffset: env.defaultUtcOffset,
      errors,
    });
    if (value) {
      const { attachment, ...fhirValue } = value;
      Object.assign(observation, fhirValue);
      if (attachment) {
        // R4 has no Observation.valueAttachment: the document goes in the report's presentedForm
        const title = code?.text ?? code?.coding?.[0]?.display ?? code?.coding?.[0]?.code;
        env.attachments.push({ ...attachment, ...(title && !attachment.title ? { title } : {}) });
        notes.push(`${valueType} value: DiagnosticReport.presentedForm[${env.attachments.length - 1}]`);
      }
    }
    if (observation.valueCodeableConcept) {
      for (let r = 2; r <= repetitionCount(obx, 5); r++) {
        const extra = codeableConcept(componentsOf(obx, 5, r), env.institution);
        const label = extra?.text ?? extra?.coding?.[0]?.code;
        if (label) notes.push(`further value: ${label}`);
      }
    }
  }
  const interpretation = interpretations(obx);
  if (interpretation.length > 0) observation.interpretation = interpretation;
  if (notes.length > 0) observation.note = annotations(notes);
  const specimen =
    group.specimenIndex !== undefined
      ? env.specimens[group.specimenIndex]
      : env.specimens.length === 1
        ? env.specimens[0]
        : undefined;
  if (specimen) observation.specimen = { reference: specimen };
  const range = referenceRange(obx, unitOf(obx));
  if (range) observation.referenceRange = [range];
  return observation;
}
