/**
 * One OBR group → one LabReportDraft: DiagnosticReport (status OBR-25, category LAB plus
 * OBR-24, code OBR-4 with every coding, effective OBR-7, issued OBR-22 — else the time the hub
 * received it —, identifier the accession, performer the sending institution, conclusion the
 * NTEs after OBR), its Observations and Specimens.
 *
 * Accession: OBR-3 (filler order number), else ORC-3, else the placer's OBR-2 / ORC-2: the
 * lab's own number first. Ids: name-based UUIDs of institution + accession (+ OBX-3 code and
 * OBX-4 sub-id for an observation), so a correction keeps them; references are relative
 * (`Observation/{id}`, `Specimen/{id}`), resolvable on the hub's FHIR API.
 */
import type * as fhir4 from 'fhir/r4';
import { asCode, codeableConcept } from './coding';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { componentsOf, textComponent } from './hl7-fields';
import { parseHl7DateTime } from './hl7-datetime';
import type { LabReportDraft } from './lab-report-draft';
import type { OrderGroup } from './oru-r01.groups';
import { noteTexts } from './oru-r01.notes';
import { mapObservation, type ObservationEnv } from './oru-r01.observation';
import { derivedStatus, OBR_STATUS, observationStatusOf } from './oru-r01.status';
import { mapSpecimens } from './oru-r01.specimen';
import { nameBasedUuid } from './resource-id';
import { INTERPRETER_ROLES, participant } from './participants';
import { personOf } from './imaging/imaging-order';

const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const CONTROL = /[\u0000-\u001f]/;

export interface ReportEnv {
  readonly institution: string;
  readonly receivedAt: string;
  readonly defaultUtcOffset: string;
  readonly errors: Hl7Error[];
}

function identifierType(code: 'FILL' | 'PLAC'): fhir4.CodeableConcept {
  return {
    coding: [{ system: V2_0203, code, display: code === 'FILL' ? 'Filler Identifier' : 'Placer Identifier' }],
  };
}

/** The OBR group's order number as the mapping reads it: filler (OBR-3, else ORC-3), else placer. */
export function orderNumbers(order: OrderGroup): { filler: string; placer: string } {
  const { obr, orc } = order;
  const filler = textComponent(obr.segment, 3, 1) || (orc ? textComponent(orc.segment, 3, 1) : '');
  const placer = textComponent(obr.segment, 2, 1) || (orc ? textComponent(orc.segment, 2, 1) : '');
  return { filler, placer };
}

/** OBR-4's identifier (OBR-4.1, else the alternate OBR-4.4, else the text), as a key part. */
export function serviceKey(order: OrderGroup): string {
  const c = componentsOf(order.obr.segment, 4);
  return (c[0] || c[3] || c[1] || '').slice(0, 64);
}

/**
 * `sharedBy`: the OBR's order number is also another OBR's of the message (one order reported
 * as several panels — ORU^R01's ORDER_OBSERVATION group repeats, [ORC] OBR {OBX}, and an order
 * may be answered by several OBRs, told apart by OBR-4). The report is then known by the number
 * and its OBR-4 (`{number}.{OBR-4.1}`); its identifier stays the number as sent.
 */
export function mapOrder(order: OrderGroup, env: ReportEnv, sharedNumber = false): LabReportDraft {
  const { obr } = order;
  const at = { segment: 'OBR', sequence: obr.sequence };
  const errors = env.errors;
  const { filler, placer } = orderNumbers(order);
  let accession = filler || placer;
  if (!accession) {
    const message =
      'no accession number: OBR-3 (filler order number) and OBR-2 (placer order number) are empty';
    errors.push({ ...at, field: 3, code: HL7_ERROR.requiredFieldMissing, message });
    accession = `#${obr.sequence}`;
  } else if (CONTROL.test(accession)) {
    errors.push({
      ...at,
      field: filler ? 3 : 2,
      component: 1,
      code: HL7_ERROR.dataType,
      message: 'the accession number holds control characters',
    });
  }
  const code = codeableConcept(componentsOf(obr.segment, 4), env.institution);
  if (!code)
    errors.push({
      ...at,
      field: 4,
      code: HL7_ERROR.requiredFieldMissing,
      message: 'OBR-4 (universal service identifier) is missing',
    });

  const effectiveText = textComponent(obr.segment, 7, 1);
  const effective = effectiveText
    ? parseHl7DateTime(effectiveText, env.defaultUtcOffset)?.dateTime
    : undefined;
  if (effectiveText && !effective)
    errors.push({
      ...at,
      field: 7,
      code: HL7_ERROR.dataType,
      message: 'OBR-7 (observation date/time) is not a date/time',
    });
  const issuedText = textComponent(obr.segment, 22, 1);
  const issuedParts = issuedText ? parseHl7DateTime(issuedText, env.defaultUtcOffset) : undefined;
  if (issuedText && !issuedParts)
    errors.push({
      ...at,
      field: 22,
      code: HL7_ERROR.dataType,
      message: 'OBR-22 (results report date/time) is not a date/time',
    });
  const issued = issuedParts?.instant ?? env.receivedAt;

  const explicit = order.observations.map((g) => observationStatusOf(g, errors));
  const statusText = textComponent(obr.segment, 25, 1).toUpperCase();
  let status = statusText ? OBR_STATUS[statusText] : derivedStatus(explicit);
  if (!status) {
    const message = statusText
      ? `OBR-25 (result status) ${statusText.slice(0, 4)} is not in table 0123`
      : 'OBR-25 (result status) is empty and no OBX-11 gives one';
    errors.push({
      ...at,
      field: 25,
      code: statusText ? HL7_ERROR.tableValueNotFound : HL7_ERROR.requiredFieldMissing,
      message,
    });
    status = 'final';
  }

  const number = accession;
  if (sharedNumber && accession && serviceKey(order)) accession = `${accession}.${serviceKey(order)}`;
  const base = `${env.institution}|${accession}`;
  const performer = `Organization/${env.institution}`;
  const specimens = mapSpecimens(order, {
    ...env,
    accession,
    ...(effective ? { collected: effective } : {}),
  });
  const specimenRefs = specimens.map((s) => `Specimen/${s.id}`);
  const obsEnv: ObservationEnv = {
    institution: env.institution,
    defaultUtcOffset: env.defaultUtcOffset,
    errors,
    reportStatus: status,
    performer,
    specimens: specimenRefs,
    attachments: [],
    issued,
    ...(effective ? { effective } : {}),
  };
  const seen = new Map<string, number>();
  const observations = order.observations.map((group, i) => {
    const key = `${textComponent(group.obx.segment, 3, 1)}|${textComponent(group.obx.segment, 4, 1)}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const id = nameBasedUuid(`${base}|Observation|${key}${n > 1 ? `|${n}` : ''}`);
    return mapObservation(group, id, explicit[i], obsEnv);
  });

  const identifier: fhir4.Identifier[] = [
    {
      use: 'usual',
      type: identifierType(filler ? 'FILL' : 'PLAC'),
      system: `urn:yilian:institution:${env.institution}:accession`,
      value: number,
    },
  ];
  if (filler && placer && placer !== filler) {
    identifier.push({
      type: identifierType('PLAC'),
      system: `urn:yilian:institution:${env.institution}:placer`,
      value: placer,
    });
  }
  const category: fhir4.CodeableConcept[] = [
    { coding: [{ system: V2_0074, code: 'LAB', display: 'Laboratory' }] },
  ];
  const section = asCode(textComponent(obr.segment, 24, 1).toUpperCase());
  if (section && section !== 'LAB') category.push({ coding: [{ system: V2_0074, code: section }] });
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: nameBasedUuid(`${base}|DiagnosticReport`),
    identifier,
    status,
    category,
    code: code ?? {},
  };
  if (effective) report.effectiveDateTime = effective;
  report.issued = issued;
  report.performer = [{ reference: performer }];
  // OBR-32 (principal result interpreter, NDL), else a PRT PI / AI / VP after the OBR (2.7+)
  if (order.obr.segment.fields.length > 32 || order.participants.length > 0) {
    const interpreter =
      personOf(order.obr, 32, env.institution, true) ??
      participant(order.participants, INTERPRETER_ROLES, env.institution);
    if (interpreter) report.resultsInterpreter = [interpreter];
  }
  if (specimenRefs.length > 0) report.specimen = specimenRefs.map((reference) => ({ reference }));
  if (observations.length > 0)
    report.result = observations.map((o) => ({ reference: `Observation/${o.id}` }));
  if (obsEnv.attachments.length > 0) report.presentedForm = obsEnv.attachments;
  const conclusion = noteTexts(order.notes).join('\n');
  if (conclusion) report.conclusion = conclusion;
  const panel = !sharedNumber && number && serviceKey(order) ? `${number}.${serviceKey(order)}` : undefined;
  return { accession, ...(panel ? { panelAccession: panel } : {}), status, report, observations, specimens };
}
