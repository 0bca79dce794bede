/**
 * ORU^R01 segment groups (v2.5.1 structure, read leniently for 2.3 – 2.5):
 * PID [PD1 NTE NK1 PV1 PV2] { [ORC] OBR [NTE] [TQ1…] { OBX [NTE] } [ { SPM [NTE] { OBX [NTE] } } ] }
 * An NTE belongs to the segment it follows (PID: ignored, OBR: the report, OBX: that
 * observation, SPM: that specimen). An OBX after an SPM belongs to the OBR and to the specimen.
 * Segments the mapping does not use (PV1, TQ1, CTD, FT1, CTI, PRT, Z-segments …) are skipped.
 * An OBX after PID and before any OBR is a patient observation (the PATIENT_OBSERVATION group
 * of 2.7+, sent by earlier-version systems too: height, weight, pregnancy): kept apart, never an
 * error and never part of a report. An SPM before any OBR is an error.
 */
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from './hl7-error';

export interface SegmentRef {
  readonly segment: Hl7Segment;
  /** 1-based occurrence of this segment id in the message (ERR-2.2). */
  readonly sequence: number;
}

export interface ObservationGroup {
  readonly obx: SegmentRef;
  readonly notes: SegmentRef[];
  /** Index into the order's specimens when the OBX follows an SPM. */
  readonly specimenIndex?: number;
  /** PRT after the OBX (2.7+). */
  readonly participants?: SegmentRef[];
}

export interface SpecimenGroup {
  readonly spm: SegmentRef;
  readonly notes: SegmentRef[];
}

export interface OrderGroup {
  readonly obr: SegmentRef;
  readonly orc?: SegmentRef;
  readonly notes: SegmentRef[];
  readonly observations: ObservationGroup[];
  readonly specimens: SpecimenGroup[];
  /** PRT after the OBR (2.7+). */
  readonly participants: SegmentRef[];
}

export interface OruR01Structure {
  readonly pids: SegmentRef[];
  /** OBX of the patient group (before any OBR), with their NTE. */
  readonly patientObservations: ObservationGroup[];
  readonly orders: OrderGroup[];
  readonly errors: Hl7Error[];
}

/** Every segment after MSH, with the 1-based occurrence of its id in the message (ERR-2.2). */
export function segmentRefs(message: Hl7Message): SegmentRef[] {
  const counts = new Map<string, number>();
  const refs: SegmentRef[] = [];
  const segments = message.segments;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const sequence = (counts.get(segment.name) ?? 0) + 1;
    counts.set(segment.name, sequence);
    refs.push({ segment, sequence });
  }
  return refs;
}

export function groupOruR01(message: Hl7Message): OruR01Structure {
  const pids: SegmentRef[] = [];
  const orders: OrderGroup[] = [];
  const patientObservations: ObservationGroup[] = [];
  const errors: Hl7Error[] = [];
  let orc: SegmentRef | undefined;
  let order: OrderGroup | undefined;
  let notes: SegmentRef[] | undefined;
  let participants: SegmentRef[] | undefined;
  for (const ref of segmentRefs(message)) {
    const { segment, sequence } = ref;
    const name = segment.name;
    switch (name) {
      case 'PID':
        pids.push(ref);
        order = undefined;
        notes = undefined;
        participants = undefined;
        break;
      case 'ORC':
        orc = ref;
        notes = undefined;
        break;
      case 'OBR':
        order = {
          obr: ref,
          ...(orc ? { orc } : {}),
          notes: [],
          observations: [],
          specimens: [],
          participants: [],
        };
        orders.push(order);
        orc = undefined;
        notes = order.notes;
        participants = order.participants;
        break;
      case 'OBX':
      case 'SPM':
        if (!order && name === 'OBX' && pids.length > 0) {
          const group: ObservationGroup = { obx: ref, notes: [] };
          patientObservations.push(group);
          notes = group.notes;
          participants = undefined;
        } else if (!order) {
          errors.push({
            segment: name,
            sequence,
            code: HL7_ERROR.segmentSequence,
            message: `${name} before any OBR`,
          });
          notes = undefined;
          participants = undefined;
        } else if (name === 'SPM') {
          const group: SpecimenGroup = { spm: ref, notes: [] };
          order.specimens.push(group);
          notes = group.notes;
          participants = undefined;
        } else {
          const specimenIndex = order.specimens.length > 0 ? order.specimens.length - 1 : undefined;
          const group: ObservationGroup = {
            obx: ref,
            notes: [],
            participants: [],
            ...(specimenIndex !== undefined ? { specimenIndex } : {}),
          };
          order.observations.push(group);
          notes = group.notes;
          participants = group.participants;
        }
        break;
      case 'NTE':
        notes?.push(ref);
        break;
      case 'PRT':
        participants?.push(ref);
        break;
      default:
        break;
    }
  }
  return { pids, patientObservations, orders, errors };
}
