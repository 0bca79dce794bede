/**
 * The study an order group describes → ImagingStudy: Study Instance UID (IPC-3, ZDS-1, or an
 * OBX naming StudyInstanceUID) as `urn:dicom:uid` / `urn:oid:…`; modality (IPC-5, an OBX
 * naming Modality, else OBR-24); counts (OBX naming NumberOfStudyRelatedSeries / …Instances);
 * `started` (OBR-7, else TQ1-7); `procedureCode` (OBR-4); the DICOMweb endpoint (an OBX of
 * type RP whose pointer is an http(s) URL) as a contained Endpoint; the body site (OBR-15.4, or
 * an OBX naming BodyPartExamined) as a contained BodyStructure named by the R4 `bodySite`
 * extension. Only what the message says is set.
 */
import type * as fhir4 from 'fhir/r4';
import { codeableConcept, codingSystemUri } from '../coding';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { componentsOf, textComponent, textSubcomponent } from '../hl7-fields';
import { parseHl7DateTime } from '../hl7-datetime';
import type { SegmentRef } from '../oru-r01.groups';
import { DCM, dicomAttributeOf, isDicomUid, MODALITIES, modalityOf } from './imaging-codes';
import type { ImagingStudyDraft } from './imaging-draft';
import type { ImagingOrderGroup } from './imaging-groups';

export const BODY_SITE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/bodySite';
const CONNECTION_TYPES = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';
const URL = /^https?:\/\/\S+$/;

export interface StudyEnv {
  readonly institution: string;
  readonly defaultUtcOffset: string;
  readonly errors: Hl7Error[];
}

export interface StudyFacts {
  uid?: string;
  modality?: string;
  seriesCount?: number;
  instanceCount?: number;
  bodySite?: fhir4.Coding;
  endpoint?: string;
}

const at = (ref: SegmentRef, field: number) => ({ segment: ref.segment.name, sequence: ref.sequence, field });

/** A DICOM UID field (an error when it is not one). */
export function readUid(ref: SegmentRef, field: number, env: StudyEnv): string | undefined {
  const uid = textComponent(ref.segment, field, 1);
  if (!uid) return undefined;
  if (isDicomUid(uid)) return uid;
  const message = `${ref.segment.name}-${field} is not a DICOM UID (dotted digits, at most 64 characters)`;
  env.errors.push({ ...at(ref, field), component: 1, code: HL7_ERROR.dataType, message });
  return undefined;
}

/** A DICOM modality field (an error when it names none). */
export function readModality(ref: SegmentRef, field: number, env: StudyEnv): string | undefined {
  const sent = textComponent(ref.segment, field, 1);
  if (!sent) return undefined;
  const modality = modalityOf(sent);
  if (modality) return modality;
  const message = `${ref.segment.name}-${field} modality ${sent.slice(0, 8)} is not a DICOM modality`;
  env.errors.push({ ...at(ref, field), component: 1, code: HL7_ERROR.tableValueNotFound, message });
  return undefined;
}

function readCount(obx: SegmentRef, env: StudyEnv): number | undefined {
  const text = textComponent(obx.segment, 5, 1);
  if (/^\d{1,7}$/.test(text)) return Number(text);
  const message = 'OBX-5 is not a count (a whole number)';
  env.errors.push({ ...at(obx, 5), code: HL7_ERROR.dataType, message });
  return undefined;
}

function fromObservations(group: ImagingOrderGroup, facts: StudyFacts, env: StudyEnv): void {
  for (const obx of group.observations) {
    const type = textComponent(obx.segment, 2, 1).toUpperCase();
    const pointer = textComponent(obx.segment, 5, 1);
    if (type === 'RP' && URL.test(pointer)) facts.endpoint ??= pointer;
    switch (dicomAttributeOf(textComponent(obx.segment, 3, 1))) {
      case 'studyUid':
        facts.uid ??= readUid(obx, 5, env);
        break;
      case 'modality':
        facts.modality ??= readModality(obx, 5, env);
        break;
      case 'seriesCount':
        facts.seriesCount ??= readCount(obx, env);
        break;
      case 'instanceCount':
        facts.instanceCount ??= readCount(obx, env);
        break;
      case 'bodyPart':
        facts.bodySite ??= codeableConcept(componentsOf(obx.segment, 5), env.institution)?.coding?.[0];
        break;
      case undefined:
        break;
    }
  }
}

/** OBR-15.4 (specimen source's body site, where orders and results name it). */
export function bodySiteOfObr(obr: SegmentRef, env: StudyEnv): fhir4.Coding | undefined {
  const [code, text, system] = [1, 2, 3].map((n) => textSubcomponent(obr.segment, 15, 4, n));
  if (!code && !text) return undefined;
  return {
    ...(code ? { system: codingSystemUri(system ?? '', env.institution), code } : {}),
    ...(text ? { display: text } : {}),
  };
}

function started(group: ImagingOrderGroup, env: StudyEnv): string | undefined {
  for (const [ref, field] of [
    [group.obr, 7],
    [group.tq1, 7],
  ] as const) {
    const text = ref ? textComponent(ref.segment, field, 1) : '';
    if (!text) continue;
    const parsed = parseHl7DateTime(text, env.defaultUtcOffset);
    if (parsed) return parsed.dateTime;
    env.errors.push({
      ...at(ref!, field),
      code: HL7_ERROR.dataType,
      message: `${ref!.segment.name}-${field} is not a date/time`,
    });
  }
  return undefined;
}

/** What an order group says about its study (errors pushed once, here). */
export function studyFacts(group: ImagingOrderGroup, env: StudyEnv): StudyFacts {
  const facts: StudyFacts = {};
  const ipc = group.ipcs[0];
  if (ipc) facts.uid = readUid(ipc, 3, env);
  if (!facts.uid && group.zds) facts.uid = readUid(group.zds, 1, env);
  if (ipc) facts.modality = readModality(ipc, 5, env);
  fromObservations(group, facts, env);
  if (!facts.modality && group.obr) facts.modality = modalityOf(textComponent(group.obr.segment, 24, 1));
  if (!facts.bodySite && group.obr) facts.bodySite = bodySiteOfObr(group.obr, env);
  return facts;
}

/** The study of an order group; undefined when it names no study (no UID, not a
 * cancellation), with an error too when `requireUid`. */
export function mapStudy(
  group: ImagingOrderGroup,
  facts: StudyFacts,
  status: fhir4.ImagingStudy['status'],
  env: StudyEnv,
  requireUid: boolean,
): ImagingStudyDraft | undefined {
  const ipc = group.ipcs[0];
  // A cancellation needs only the accession; anything else names its study by UID.
  if (!facts.uid && status !== 'cancelled') {
    if (requireUid) {
      const where = ipc
        ? at(ipc, 3)
        : group.zds
          ? at(group.zds, 1)
          : { segment: 'ZDS', sequence: 1, field: 1 };
      const message = 'no Study Instance UID: send it in IPC-3 or ZDS-1';
      env.errors.push({ ...where, code: HL7_ERROR.requiredFieldMissing, message });
    }
    return undefined;
  }
  const procedure = group.obr
    ? codeableConcept(componentsOf(group.obr.segment, 4), env.institution)
    : undefined;
  const startedAt = started(group, env);
  const contained: fhir4.FhirResource[] = [];
  if (facts.endpoint) {
    contained.push({
      resourceType: 'Endpoint',
      id: 'wado',
      status: 'active',
      connectionType: { system: CONNECTION_TYPES, code: 'dicom-wado-rs', display: 'DICOM WADO-RS' },
      payloadType: [{ text: 'DICOM' }],
      payloadMimeType: ['application/dicom'],
      address: facts.endpoint,
    });
  }
  if (facts.bodySite) {
    contained.push({
      resourceType: 'BodyStructure',
      id: 'bodysite',
      location: { coding: [facts.bodySite] },
      patient: {},
    });
  }
  return {
    resourceType: 'ImagingStudy',
    ...(contained.length > 0 ? { contained } : {}),
    ...(facts.bodySite
      ? { extension: [{ url: BODY_SITE_EXTENSION, valueReference: { reference: '#bodysite' } }] }
      : {}),
    ...(facts.uid ? { identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${facts.uid}` }] } : {}),
    status,
    ...(facts.modality
      ? { modality: [{ system: DCM, code: facts.modality, display: MODALITIES[facts.modality] }] }
      : {}),
    ...(startedAt ? { started: startedAt } : {}),
    ...(facts.endpoint ? { endpoint: [{ reference: '#wado' }] } : {}),
    ...(facts.seriesCount !== undefined ? { numberOfSeries: facts.seriesCount } : {}),
    ...(facts.instanceCount !== undefined ? { numberOfInstances: facts.instanceCount } : {}),
    ...(procedure ? { procedureCode: [procedure] } : {}),
  };
}
