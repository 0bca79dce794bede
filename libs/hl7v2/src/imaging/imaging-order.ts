/** What identifies an imaging order and where it stands: accession and its assigning
 * authority, the study's status from ORC, people's names. */
import type * as fhir4 from 'fhir/r4';
import { HL7_ERROR, type Hl7Error, type Hl7Location } from '../hl7-error';
import { textComponent, textSubcomponent } from '../hl7-fields';
import type { SegmentRef } from '../oru-r01.groups';

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

/** ORC-5 (table 0038) → ImagingStudy.status. */
const ORDER_STATUS: Readonly<Record<string, fhir4.ImagingStudy['status']>> = {
  A: 'available',
  CM: 'available',
  CA: 'cancelled',
  DC: 'cancelled',
  ER: 'entered-in-error',
  HD: 'registered',
  IP: 'registered',
  RP: 'registered',
  SC: 'registered',
};
/** ORC-1 order controls that cancel (table 0119). */
const CANCELLING: ReadonlySet<string> = new Set(['CA', 'OC', 'CR', 'DC', 'OD']);

/** The study status an order segment says: ORC-1 cancel → cancelled, else ORC-5, else
 * registered. An ORC-5 outside table 0038 is an error (103). */
export function orderStudyStatus(
  orc: SegmentRef | undefined,
  errors: Hl7Error[],
): fhir4.ImagingStudy['status'] {
  if (!orc) return 'registered';
  if (CANCELLING.has(textComponent(orc.segment, 1, 1).toUpperCase())) return 'cancelled';
  const sent = textComponent(orc.segment, 5, 1).toUpperCase();
  if (!sent) return 'registered';
  const status = ORDER_STATUS[sent];
  if (status) return status;
  const message = `ORC-5 (order status) ${sent.slice(0, 4)} is not in table 0038`;
  errors.push({
    segment: 'ORC',
    sequence: orc.sequence,
    field: 5,
    code: HL7_ERROR.tableValueNotFound,
    message,
  });
  return 'registered';
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
