/** What identifies an imaging order: accession and its assigning authority, what an imaging
 * order adds to its ServiceRequest (IPC, modality, body site), people's names. */
import type * as fhir4 from 'fhir/r4';
import { HL7_ERROR, type Hl7Error, type Hl7Location } from '../hl7-error';
import { textComponent, textSubcomponent } from '../hl7-fields';
import type { SegmentRef } from '../oru-r01.groups';
import { isImagingSection } from './imaging-codes';
import type { ImagingOrderGroup } from './imaging-groups';
import { type StudyEnv, studyFacts } from './imaging-study.map';

const CONTROL = /[\u0000-\u001f]/;
const CJK = /[\u3400-\u9fff]/;

export interface AccessionRead {
  readonly accession: string;
  readonly at: Hl7Location;
  readonly authority?: string;
}

/** The first of the EI fields given (segment, field) that has a value: the accession, with
 * EI-2 (namespace id) else EI-3 (universal id) as its assigning authority. `missing` names the
 * field to blame when none has one. */
export function accessionOf(
  fields: readonly (readonly [SegmentRef | undefined, number])[],
  missing: Hl7Location,
  errors: Hl7Error[],
): AccessionRead | undefined {
  for (const [ref, field] of fields) {
    if (!ref) continue;
    const accession = textComponent(ref.segment, field, 1);
    if (!accession) continue;
    const at = { segment: ref.segment.name, sequence: ref.sequence, field };
    if (CONTROL.test(accession) || accession.length > 200) {
      const message = 'the accession number holds control characters or is over 200 characters';
      errors.push({ ...at, component: 1, code: HL7_ERROR.dataType, message });
      return undefined;
    }
    const authority = textComponent(ref.segment, field, 2) || textComponent(ref.segment, field, 3);
    return { accession, at, ...(authority ? { authority } : {}) };
  }
  const names = fields
    .filter(([ref]) => ref)
    .map(([ref, field]) => `${ref!.segment.name}-${field}`)
    .join(', ');
  errors.push({
    ...missing,
    code: HL7_ERROR.requiredFieldMissing,
    message: `no accession number: ${names || 'none'} empty`,
  });
  return undefined;
}

/** What an imaging order adds to its ServiceRequest (the orders mapper's imaging part). */
export interface ImagingOrderFacts {
  /** Identifiers: the accession (IPC-1, type ACSN), the requested procedure (IPC-2), the
   * Study Instance UID the study will have (IPC-3, ZDS-1). */
  readonly identifiers: readonly fhir4.Identifier[];
  /** DICOM modality (IPC-5, an OBX naming Modality, else OBR-24). */
  readonly modality?: string;
  /** OBR-15.4, or an OBX naming BodyPartExamined. */
  readonly bodySite?: fhir4.Coding;
}

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
/** IPC fields the standard requires (2.5.1+): accession, requested procedure, study UID,
 * scheduled procedure step. */
const IPC_REQUIRED: readonly [number, string][] = [
  [1, 'accession identifier'],
  [2, 'requested procedure ID'],
  [3, 'study instance UID'],
  [4, 'scheduled procedure step ID'],
];

/** Whether an order group is an imaging order: in an OMI^O23 always; else when it carries
 * IPC or ZDS or its OBR-24 is an imaging section / DICOM modality. */
export function isImagingOrderGroup(group: ImagingOrderGroup): boolean {
  return (
    group.ipcs.length > 0 ||
    group.zds !== undefined ||
    (group.obr !== undefined && isImagingSection(textComponent(group.obr.segment, 24, 1)))
  );
}

/**
 * The imaging facts of an order group: IPC-1 .. IPC-4 required when an IPC is sent (101 at
 * the field), IPC-3 / ZDS-1 a DICOM UID (102), IPC-5 a DICOM modality (103). An order names
 * its study-to-be; the study itself is the PACS's to report.
 */
export function imagingOrderFacts(group: ImagingOrderGroup, env: StudyEnv): ImagingOrderFacts {
  const ipc = group.ipcs[0];
  if (ipc)
    for (const [field, name] of IPC_REQUIRED)
      if (!textComponent(ipc.segment, field, 1))
        env.errors.push({
          segment: 'IPC',
          sequence: ipc.sequence,
          field,
          code: HL7_ERROR.requiredFieldMissing,
          message: `IPC-${field} (${name}) is missing`,
        });
  const facts = studyFacts(group, env);
  const identifiers: fhir4.Identifier[] = [];
  const accession = ipc && textComponent(ipc.segment, 1, 1);
  if (ipc && accession) {
    const authority = textComponent(ipc.segment, 1, 2) || env.institution;
    identifiers.push({
      type: { coding: [{ system: V2_0203, code: 'ACSN' }] },
      system: `urn:yilian:institution:${authority}:accession`,
      value: accession,
    });
  }
  const procedure = ipc && textComponent(ipc.segment, 2, 1);
  if (procedure)
    identifiers.push({
      system: `urn:yilian:institution:${env.institution}:requested-procedure`,
      value: procedure,
    });
  if (facts.uid) identifiers.push({ system: 'urn:dicom:uid', value: `urn:oid:${facts.uid}` });
  return {
    identifiers,
    ...(facts.modality ? { modality: facts.modality } : {}),
    ...(facts.bodySite ? { bodySite: facts.bodySite } : {}),
  };
}

/**
 * A person (XCN / PPN: ID^family^given, or the CNN of an NDL: ID&family&given in component 1)
 * as a display-only reference with the sender's staff id; undefined when the field is empty.
 */
export function personOf(
  ref: SegmentRef | undefined,
  field: number,
  institution: string,
  packed = false,
): fhir4.Reference | undefined {
  if (!ref) return undefined;
  const part = (n: number) =>
    packed ? textSubcomponent(ref.segment, field, 1, n) : textComponent(ref.segment, field, n);
  const id = part(1);
  const family = packed ? part(2) : textSubcomponent(ref.segment, field, 2, 1);
  const given = part(3);
  const name = CJK.test(family + given) ? family + given : [given, family].filter(Boolean).join(' ');
  if (!id && !name) return undefined;
  return {
    type: 'Practitioner',
    ...(name ? { display: name } : {}),
    ...(id ? { identifier: { system: `urn:yilian:institution:${institution}:staff`, value: id } } : {}),
  };
}
