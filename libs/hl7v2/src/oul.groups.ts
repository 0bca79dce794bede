/**
 * OUL^R22 / R23 / R24 segment groups (HL7 v2.5.1 chapter 7, read leniently for 2.5 – 2.9), read
 * into the ORU^R01 structure so that one mapping (`mapOrder`: OBR → DiagnosticReport, OBX →
 * Observation, SPM → Specimen) serves both:
 *
 * - R22 (specimen oriented): [PID …] { SPM [{OBX}] [{SAC [INV]}] { OBR [ORC] [NTE] [TQ1…] [{OBX [NTE]}] [CTI] } }
 * - R23 (container oriented): [PID …] { SPM [{OBX}] { SAC [INV] { OBR [ORC] … [{OBX [NTE]}] } } }
 * - R24 (order oriented): [PID …] { OBR [ORC] [NTE] [TQ1…] [{ SPM [{OBX}] [{SAC [INV]}] }] [{OBX [NTE]}] [CTI] }
 *
 * R22 / R23: an OBR's specimen is the SPM it follows (every OBR of that SPM names it). R24: the
 * SPMs after an OBR are that order's. ORC follows its OBR in OUL (an ORC before an OBR, the
 * ORU^R01 way, is taken for the next OBR). OBX right after an SPM are specimen observations:
 * they become observations of the report (R22 / R23: of the first OBR of that SPM) after the
 * OBR's own results, with `specimen` that SPM — where ORU^R01's SPECIMEN group puts them.
 * OBX after PID and before any SPM / OBR are patient observations (kept apart, as in ORU^R01).
 * R22 / R23: an SPM no OBR follows is an error (its specimen observations would be lost); an OBR
 * before any SPM is read as an order without a specimen group (OBR-15, as in ORU^R01). R24: an
 * SPM before any OBR is an error. NTE and PRT belong to the segment they follow; SFT, PV1, SAC,
 * INV, TQ1, TCD, SID, CTI, DSC and Z-segments are skipped.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import {
  type ObservationGroup,
  type OrderGroup,
  type OruR01Structure,
  type SegmentRef,
  segmentRefs,
  type SpecimenGroup,
} from './oru-r01.groups';

export type OulTrigger = 'R22' | 'R23' | 'R24';

interface OulOrder extends OrderGroup {
  orc?: SegmentRef;
  readonly observations: ObservationGroup[];
  /** The specimen observations, put after the results once the message is read. */
  readonly specimenObservations: ObservationGroup[];
}

interface OulSpecimen {
  readonly group: SpecimenGroup;
  /** R22 / R23: the OBRs that follow it; R24: the one it follows. */
  readonly orders: OulOrder[];
  readonly observations: ObservationGroup[];
}

/** What the next OBX is: a patient's, a specimen's or an order's observation (or misplaced). */
type Place = 'start' | 'patient' | 'specimen' | 'container' | 'order';

export function groupOul(message: Hl7Message, trigger: OulTrigger): OruR01Structure {
  const orderOriented = trigger === 'R24';
  const pids: SegmentRef[] = [];
  const patientObservations: ObservationGroup[] = [];
  const orders: OulOrder[] = [];
  const specimens: OulSpecimen[] = [];
  const errors: Hl7Error[] = [];
  let place: Place = 'start';
  let specimen: OulSpecimen | undefined;
  let order: OulOrder | undefined;
  let pendingOrc: SegmentRef | undefined;
  let notes: SegmentRef[] | undefined;
  let participants: SegmentRef[] | undefined;
  const misplaced = (ref: SegmentRef, message: string) => {
    errors.push({
      segment: ref.segment.name,
      sequence: ref.sequence,
      code: HL7_ERROR.segmentSequence,
      message,
    });
    notes = undefined;
    participants = undefined;
  };

  for (const ref of segmentRefs(message)) {
    const name = ref.segment.name;
    // NTE and PRT: of the segment they follow (none: skipped)
    if (name === 'NTE' || name === 'PRT') {
      (name === 'NTE' ? notes : participants)?.push(ref);
      continue;
    }
    switch (name) {
      case 'PID':
        pids.push(ref);
        place = 'patient';
        specimen = undefined;
        order = undefined;
        notes = undefined;
        participants = undefined;
        break;
      case 'SPM': {
        if (orderOriented && !order) {
          misplaced(ref, 'SPM before any OBR: in OUL^R24 a specimen follows its order');
          specimen = undefined;
          place = 'container';
          break;
        }
        const group: SpecimenGroup = { spm: ref, notes: [] };
        specimen = { group, orders: orderOriented ? [order!] : [], observations: [] };
        specimens.push(specimen);
        if (orderOriented) order!.specimens.push(group);
        place = 'specimen';
        notes = group.notes;
        participants = undefined;
        break;
      }
      case 'SAC':
      case 'INV':
        // R24: the results follow the order's specimen groups
        place = orderOriented && order ? 'order' : 'container';
        notes = undefined;
        participants = undefined;
        break;
      case 'OBR': {
        if (orderOriented) specimen = undefined;
        order = {
          obr: ref,
          ...(pendingOrc ? { orc: pendingOrc } : {}),
          notes: [],
          observations: [],
          specimenObservations: [],
          specimens: specimen ? [specimen.group] : [],
          participants: [],
        };
        orders.push(order);
        specimen?.orders.push(order);
        pendingOrc = undefined;
        place = 'order';
        notes = order.notes;
        participants = order.participants;
        break;
      }
      case 'ORC':
        // ORC after its OBR (OUL); before one (the ORU^R01 way), for the next OBR
        if (order && place === 'order' && !order.orc && order.observations.length === 0) {
          order.orc = ref;
          notes = order.notes;
        } else {
          pendingOrc = ref;
          notes = undefined;
        }
        participants = undefined;
        break;
      case 'OBX': {
        if (place === 'start' || (place === 'container' && !specimen)) {
          misplaced(ref, 'OBX before any PID, SPM or OBR');
          break;
        }
        const group: ObservationGroup = { obx: ref, notes: [], participants: [] };
        if (place === 'patient') patientObservations.push({ obx: ref, notes: group.notes });
        else if (place === 'order') order!.observations.push(group);
        else specimen!.observations.push(group);
        notes = group.notes;
        participants = place === 'patient' ? undefined : group.participants;
        break;
      }
    }
  }

  for (const s of specimens) {
    const first = s.orders[0];
    if (!first) {
      const text = `SPM ${s.group.spm.sequence} has no OBR after it: a specimen group needs its order`;
      errors.push({
        segment: 'SPM',
        sequence: s.group.spm.sequence,
        code: HL7_ERROR.segmentSequence,
        message: text,
      });
      continue;
    }
    const specimenIndex = first.specimens.indexOf(s.group);
    for (const o of s.observations) first.specimenObservations.push({ ...o, specimenIndex });
  }
  for (const o of orders) o.observations.push(...o.specimenObservations);
  return { pids, patientObservations, orders, errors };
}
