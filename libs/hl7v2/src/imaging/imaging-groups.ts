/**
 * Segment groups of the imaging messages, read leniently across 2.3 – 2.5.1:
 * ORU^R01 PID [PV1] { [ORC] OBR [NTE] { OBX [NTE] } [ZDS] } ·
 * ORM^O01 / OMI^O23 PID [PV1] { ORC [TQ1] OBR [NTE] { OBX } [ZDS] { IPC } } ·
 * MDM^T02 / T08 / T10 EVN PID PV1 TXA { OBX [NTE] } · MDM^T11 EVN PID PV1 TXA.
 * An ORC opens an order; an OBR opens one unless the open order has no OBR yet. OBX, ZDS,
 * IPC and TQ1 belong to the open order (MDM: OBX to the document); an OBX after PID and before
 * any order is a patient observation (2.7+), skipped; a PRT belongs to the open order. Other
 * segments are skipped.
 */
import type { Hl7Message } from '@medplum/core';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import type { SegmentRef } from '../oru-r01.groups';

export interface ImagingOrderGroup {
  orc?: SegmentRef;
  obr?: SegmentRef;
  tq1?: SegmentRef;
  zds?: SegmentRef;
  readonly ipcs: SegmentRef[];
  readonly observations: SegmentRef[];
  /** PRT of the order (2.7+): who read it (PI) and others. */
  readonly participants: SegmentRef[];
}

export interface ImagingStructure {
  readonly pids: SegmentRef[];
  readonly txa?: SegmentRef;
  readonly orders: ImagingOrderGroup[];
  /** MDM: the OBX of the document. */
  readonly documentObservations: SegmentRef[];
  readonly errors: Hl7Error[];
}

export function groupImagingMessage(message: Hl7Message): ImagingStructure {
  const counts = new Map<string, number>();
  const pids: SegmentRef[] = [];
  const orders: ImagingOrderGroup[] = [];
  const documentObservations: SegmentRef[] = [];
  const errors: Hl7Error[] = [];
  let txa: SegmentRef | undefined;
  let order: ImagingOrderGroup | undefined;
  const open = (): ImagingOrderGroup => {
    const group: ImagingOrderGroup = { ipcs: [], observations: [], participants: [] };
    orders.push(group);
    return group;
  };
  for (const segment of message.segments.slice(1)) {
    const sequence = (counts.get(segment.name) ?? 0) + 1;
    counts.set(segment.name, sequence);
    const ref = { segment, sequence };
    switch (segment.name) {
      case 'PID':
        pids.push(ref);
        break;
      case 'TXA':
        txa ??= ref;
        break;
      case 'ORC':
        order = open();
        order.orc = ref;
        break;
      case 'OBR':
        if (!order || order.obr) order = open();
        order.obr = ref;
        break;
      case 'TQ1':
        if (order) order.tq1 ??= ref;
        break;
      case 'ZDS':
        if (order) order.zds ??= ref;
        break;
      case 'IPC':
        if (order) order.ipcs.push(ref);
        break;
      case 'PRT':
        if (order) order.participants.push(ref);
        break;
      case 'OBX':
        if (txa && !order) documentObservations.push(ref);
        else if (order) order.observations.push(ref);
        else if (pids.length === 0)
          errors.push({
            segment: 'OBX',
            sequence,
            code: HL7_ERROR.segmentSequence,
            message: 'OBX before any OBR',
          });
        break;
      default:
        break;
    }
  }
  return { pids, ...(txa ? { txa } : {}), orders, documentObservations, errors };
}
