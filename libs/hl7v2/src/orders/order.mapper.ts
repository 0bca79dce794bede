/**
 * Orders → FHIR R4 ServiceRequest: ORM^O01 (general), OML^O21 (lab), OMG^O19 (general clinical),
 * OMI^O23 (imaging), 2.3 to 2.9, read leniently with one grouping:
 * PID [PV1] { ORC [TQ1] [OBR [NTE] {OBX} [SPM] [ZDS] {IPC}] }
 * (an ORC opens an order, an OBR joins the open one; `groupImagingMessage` is that grouping).
 * One ServiceRequest per order group; `subject` is left for the caller (the patient key).
 *
 * | HL7 v2 | ServiceRequest |
 * | --- | --- |
 * | ORC-2, else OBR-2 (placer order number) | `identifier` PLAC `…:placer`; the stream |
 * | one ORC with several OBRs of its number | one ServiceRequest per OBR under that ORC (its order control, time, requester); the stream `{number}.{OBR-4.1}`; `requisition` the number |
 * | ORC-3, else OBR-3 (filler order number) | `identifier` FILL `…:accession`; the stream (`filler-{n}`) when no placer number |
 * | ORC-1 (0119) and ORC-5 (0038) | `status`: NW/XO/RL/SC → active, CA/OC/DC/OD/DR/CR → revoked, HD/OH → on-hold; ORC-5 CM → completed |
 * | OBR-4 (required) | `code` (every triplet) |
 * | TQ1-9, else OBR-27.6 / ORC-7.6 (S A R P T) | `priority` stat / asap / routine / urgent |
 * | ORC-9 | `authoredOn` |
 * | ORC-12, else OBR-16, else PRT OP (2.7+) | `requester` (display, staff identifier) |
 * | OBR-31 | `reasonCode` |
 * | OML^O21 | `category` laboratory procedure (SNOMED CT 108252007) |
 * | imaging (OMI^O23; ORM^O01 with IPC / ZDS / an imaging OBR-24) | `category` imaging (SNOMED CT 363679005) |
 * | IPC-1 (accession; IPC-1.2 its authority) | `identifier` ACSN `urn:yilian:institution:{authority}:accession` |
 * | IPC-2 (requested procedure ID) | `identifier` `…:requested-procedure` |
 * | IPC-3, else ZDS-1 (Study Instance UID to be) | `identifier` `urn:dicom:uid` `urn:oid:…` |
 * | IPC-5, else OBX Modality, else OBR-24 | `orderDetail` DICOM modality (DCM) |
 * | OBR-15.4, else OBX BodyPartExamined | `bodySite` |
 *
 * Refused (AE, errors naming the field): no PID 100, no order 100, no order number 101 ORC-2,
 * no OBR-4 101, ORC-1 outside 0119 103, a bad ORC-9 102, a placer number repeated on another ORC
 * (or with the same OBR-4 under one ORC) 205; an
 * imaging order: an OMI^O23 group without OBR 100, an IPC without IPC-1 .. IPC-4 101, a UID
 * that is none 102, a modality outside DICOM's 103. An imaging order is an order, not a study:
 * the study is recorded when the PACS reports it. Pure.
 */
import type * as fhir4 from 'fhir/r4';
import type { Hl7Message } from '@medplum/core';
import { codeableConcept } from '../coding';
import { HL7_ERROR, type Hl7Error, MAPPING_DEFECT } from '../hl7-error';
import { componentsOf, repetitionCount, textComponent } from '../hl7-fields';
import { CHINA_STANDARD_TIME, parseHl7DateTime } from '../hl7-datetime';
import { groupImagingMessage, type ImagingOrderGroup } from '../imaging/imaging-groups';
import { DCM, MODALITIES } from '../imaging/imaging-codes';
import { imagingOrderFacts, isImagingOrderGroup, personOf } from '../imaging/imaging-order';
import type { PatientIdentifiers } from '../lab-report-draft';
import { participant } from '../participants';
import { mapPatientIdentifiers } from '../patient-identifiers';
import { nameBasedUuid } from '../resource-id';
import { orderStatus, requestedControl } from './order-control';

export const ORDER_MESSAGE_TYPES = ['ORM^O01', 'OML^O21', 'OMG^O19', 'OMI^O23'] as const;
export type OrderMessageType = (typeof ORDER_MESSAGE_TYPES)[number];

export interface OrderDraft {
  readonly placerOrderNumber: string;
  /** ORC-1 as sent (NW when there is no ORC). */
  readonly orderControl: string;
  readonly serviceRequest: fhir4.ServiceRequest;
  /** The order group, for the response's ORC / OBR echo. */
  readonly group: ImagingOrderGroup;
  /** An imaging order's modality and body site (what the duplicate-test check matches). */
  readonly imaging?: { readonly modality?: string; readonly bodySite?: fhir4.Coding };
  /** A change (ORC-1 other than NW) of an order known by its number alone: the same order as
   * one of several OBRs of that number (`{number}.{OBR-4}`), for when it was placed that way. */
  readonly asPanel?: OrderDraft;
}

export type OrderMappingResult =
  | { readonly ok: true; readonly patient: PatientIdentifiers; readonly orders: readonly OrderDraft[] }
  | {
      readonly ok: false;
      readonly errors: readonly Hl7Error[];
      readonly groups: readonly ImagingOrderGroup[];
    };

export interface OrderMappingContext {
  readonly institution: string;
  readonly type: OrderMessageType;
  readonly defaultUtcOffset?: string;
}

const PRIORITY: Readonly<Record<string, fhir4.ServiceRequest['priority']>> = {
  S: 'stat',
  A: 'asap',
  R: 'routine',
  P: 'urgent',
  T: 'urgent',
  C: 'routine',
};
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const LAB_PROCEDURE = {
  coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }],
};
const IMAGING = {
  coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }],
};

function identifier(type: 'PLAC' | 'FILL', system: string, value: string): fhir4.Identifier {
  return { type: { coding: [{ system: V2_0203, code: type }] }, system, value };
}

/** OBR-4's identifier (OBR-4.1, else the alternate OBR-4.4, else the text), as a key part. */
function serviceKey(group: ImagingOrderGroup): string {
  if (!group.obr) return '';
  const c = componentsOf(group.obr.segment, 4);
  return (c[0] || c[3] || c[1] || '').slice(0, 64);
}

function mapOrder(
  group: ImagingOrderGroup,
  ctx: OrderMappingContext,
  errors: Hl7Error[],
  /** Another OBR of the same ORC shares the order number: the order is known by number + OBR-4. */
  sharedNumber = false,
): OrderDraft | undefined {
  const { orc, obr } = group;
  const head = orc ?? obr!;
  const at = (ref: typeof head, field: number) => ({
    segment: ref.segment.name,
    sequence: ref.sequence,
    field,
  });
  const placerNumber =
    (orc && textComponent(orc.segment, 2, 1)) || (obr && textComponent(obr.segment, 2, 1)) || '';
  const filler = (orc && textComponent(orc.segment, 3, 1)) || (obr && textComponent(obr.segment, 3, 1)) || '';
  // A filler's own message (a PACS's or LIS's status or cancel) may name the order by its
  // number alone: the order is then known by that number.
  const number = placerNumber || (filler ? `filler-${filler}` : '');
  const placer = number && sharedNumber && serviceKey(group) ? `${number}.${serviceKey(group)}` : number;
  if (!placer) {
    const message = 'no order number: ORC-2 / OBR-2 (placer) and ORC-3 / OBR-3 (filler) are empty';
    errors.push({ ...at(head, 2), code: HL7_ERROR.requiredFieldMissing, message });
  }
  const control = orc ? textComponent(orc.segment, 1, 1).toUpperCase() : 'NW';
  const status = orderStatus(control, orc ? textComponent(orc.segment, 5, 1).toUpperCase() : '');
  if (!requestedControl(control)) {
    const message = control
      ? `ORC-1 (order control) ${control.slice(0, 4)} is not a request in table 0119`
      : 'ORC-1 (order control) is missing';
    errors.push({
      ...at(orc!, 1),
      code: control ? HL7_ERROR.tableValueNotFound : HL7_ERROR.requiredFieldMissing,
      message,
    });
  }
  const code = obr ? codeableConcept(componentsOf(obr.segment, 4), ctx.institution) : undefined;
  if (!code) {
    const message = obr
      ? 'OBR-4 (universal service identifier) is missing'
      : 'no OBR: the hub keeps orders for tests and examinations';
    errors.push({
      ...(obr ? at(obr, 4) : { segment: 'OBR', sequence: 1 }),
      code: obr ? HL7_ERROR.requiredFieldMissing : HL7_ERROR.segmentSequence,
      message,
    });
  }
  const offset = ctx.defaultUtcOffset ?? CHINA_STANDARD_TIME;
  const imaging =
    ctx.type === 'OMI^O23' || isImagingOrderGroup(group)
      ? imagingOrderFacts(group, { institution: ctx.institution, defaultUtcOffset: offset, errors })
      : undefined;
  const authoredText = orc ? textComponent(orc.segment, 9, 1) : '';
  const authored = authoredText ? parseHl7DateTime(authoredText, offset)?.dateTime : undefined;
  if (authoredText && !authored)
    errors.push({
      ...at(orc!, 9),
      code: HL7_ERROR.dataType,
      message: 'ORC-9 (date/time of transaction) is not a date/time',
    });
  if (!placer || !code) return undefined;
  const priorityText =
    (group.tq1 && textComponent(group.tq1.segment, 9, 1)) ||
    (obr && textComponent(obr.segment, 27, 6)) ||
    (orc && textComponent(orc.segment, 7, 6)) ||
    '';
  const priority = PRIORITY[priorityText.toUpperCase()];
  const requester =
    personOf(orc, 12, ctx.institution) ??
    personOf(obr, 16, ctx.institution) ??
    participant(group.participants, ['OP'], ctx.institution);
  const reasons: fhir4.CodeableConcept[] = [];
  if (obr)
    for (let r = 1; r <= repetitionCount(obr.segment, 31); r++) {
      const reason = codeableConcept(componentsOf(obr.segment, 31, r), ctx.institution);
      if (reason) reasons.push(reason);
    }
  const base = `urn:yilian:institution:${ctx.institution}`;
  const identifiers = [
    ...(placerNumber ? [identifier('PLAC', `${base}:placer`, placerNumber)] : []),
    ...(filler ? [identifier('FILL', `${base}:accession`, filler)] : []),
  ];
  for (const id of imaging?.identifiers ?? []) {
    // the accession a filler order number already names: one identifier, typed both
    const same = identifiers.find((i) => i.system === id.system && i.value === id.value);
    if (same) same.type!.coding!.push(...(id.type?.coding ?? []));
    else identifiers.push(id);
  }
  const category = ctx.type === 'OML^O21' ? LAB_PROCEDURE : imaging ? IMAGING : undefined;
  const serviceRequest: fhir4.ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: nameBasedUuid(`${ctx.institution}|${placer}|ServiceRequest`),
    identifier: identifiers,
    status,
    intent: 'order',
    // the order number the ORC's OBRs share: the requisition they were placed under
    ...(placer !== number && placerNumber
      ? { requisition: identifier('PLAC', `${base}:placer`, placerNumber) }
      : {}),
    ...(category ? { category: [category] } : {}),
    ...(priority ? { priority } : {}),
    code,
    ...(imaging?.modality
      ? {
          orderDetail: [
            { coding: [{ system: DCM, code: imaging.modality, display: MODALITIES[imaging.modality] }] },
          ],
        }
      : {}),
    subject: {},
    ...(authored ? { authoredOn: authored } : {}),
    ...(requester ? { requester } : {}),
    ...(reasons.length > 0 ? { reasonCode: reasons } : {}),
    ...(imaging?.bodySite ? { bodySite: [{ coding: [imaging.bodySite] }] } : {}),
  };
  const imagingPart = imaging && {
    ...(imaging.modality ? { modality: imaging.modality } : {}),
    ...(imaging.bodySite ? { bodySite: imaging.bodySite } : {}),
  };
  return {
    placerOrderNumber: placer,
    orderControl: control || 'NW',
    serviceRequest,
    group,
    ...(imagingPart ? { imaging: imagingPart } : {}),
  };
}

function mapOrders(message: Hl7Message, ctx: OrderMappingContext): OrderMappingResult {
  const structure = groupImagingMessage(message);
  const errors: Hl7Error[] = [...structure.errors];
  // ORC [OBR] [OBR] …: an OBR after the ORC's first is another test of the same order (ORM^O01's
  // ORDER_DETAIL, OML^O21's OBSERVATION_REQUEST under one ORC): it keeps that ORC — its order
  // control, placer number and time — rather than reading as an order without one.
  const groups: ImagingOrderGroup[] = [];
  let lastOrc: ImagingOrderGroup['orc'];
  for (const g of structure.orders) {
    if (g.orc) lastOrc = g.orc;
    const obrNumber = g.obr ? textComponent(g.obr.segment, 2, 1) : '';
    const orcNumber = lastOrc ? textComponent(lastOrc.segment, 2, 1) : '';
    const sameOrder = lastOrc && (!obrNumber || !orcNumber || obrNumber === orcNumber);
    const group = !g.orc && g.obr && sameOrder ? { ...g, orc: lastOrc } : g;
    groups.push(group);
  }
  const [pid] = structure.pids;
  let patient: PatientIdentifiers = {};
  if (!pid) {
    const message = 'no PID segment: an order needs its patient';
    errors.push({ segment: 'PID', sequence: 1, code: HL7_ERROR.segmentSequence, message });
  } else patient = mapPatientIdentifiers(pid, ctx.institution, errors);
  if (groups.length === 0) {
    const message = 'no ORC / OBR: nothing is ordered';
    errors.push({ segment: 'ORC', sequence: 1, code: HL7_ERROR.segmentSequence, message });
  }
  // several OBRs of one ORC with the same number: each is its own ServiceRequest, known by the
  // number and its OBR-4; the same number on two ORCs is still two orders claiming one number
  const numberOf = (g: ImagingOrderGroup) =>
    (g.orc && textComponent(g.orc.segment, 2, 1)) ||
    (g.obr && textComponent(g.obr.segment, 2, 1)) ||
    (g.orc && textComponent(g.orc.segment, 3, 1)) ||
    (g.obr && textComponent(g.obr.segment, 3, 1)) ||
    '';
  const keyOf = (g: ImagingOrderGroup) =>
    `${g.orc ? g.orc.sequence : `obr${g.obr?.sequence}`}|${numberOf(g)}`;
  const sharing = new Map<string, number>();
  for (const g of groups) sharing.set(keyOf(g), (sharing.get(keyOf(g)) ?? 0) + 1);
  const orders: OrderDraft[] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    const shared = (sharing.get(keyOf(group)) ?? 0) > 1;
    const draft = mapOrder(group, ctx, errors, shared);
    if (!draft) continue;
    if (seen.has(draft.placerOrderNumber)) {
      const head = group.orc ?? group.obr!;
      const message = `order number ${draft.placerOrderNumber} is already used by another order of this message`;
      errors.push({
        segment: head.segment.name,
        sequence: head.sequence,
        field: 2,
        code: HL7_ERROR.duplicateKey,
        message,
      });
    }
    seen.add(draft.placerOrderNumber);
    const panel = !shared && draft.orderControl !== 'NW' ? mapOrder(group, ctx, [], true) : undefined;
    orders.push(
      panel && panel.placerOrderNumber !== draft.placerOrderNumber ? { ...draft, asPanel: panel } : draft,
    );
  }
  return errors.length > 0 ? { ok: false, errors, groups } : { ok: true, patient, orders };
}

/** Maps an order message (already classified as `ctx.type`). Never throws. */
export function mapOrderMessage(message: Hl7Message, ctx: OrderMappingContext): OrderMappingResult {
  try {
    return mapOrders(message, ctx);
  } catch {
    return { ok: false, errors: [MAPPING_DEFECT], groups: [] };
  }
}
