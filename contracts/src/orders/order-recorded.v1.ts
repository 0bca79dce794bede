/**
 * An order (申请单) as the placing institution sent it: ORM^O01, OML^O21 (lab), OMG^O19
 * (general), OMI^O23 (imaging) — one `OrderRecorded` per ORC group, its FHIR R4
 * ServiceRequest. A later message for the same placer order number (a change, a cancel, a
 * hold) is another version in the same stream. The duplicate-test check (检查检验结果互认) reads these.
 */
import type { fhir4 } from '../fhir';
import { type DataCheck, institutionCode, isObject, oneOf, text } from '../referrals/schema';

export const ORDER_RECORDED = 'OrderRecorded';

/** ORC-1 (table 0119) as sent, e.g. NW new, CA cancel, XO change, HD hold. */
export type OrderControl = string;

export interface OrderRecordedV1 {
  readonly serviceRequest: fhir4.ServiceRequest;
  /** Institution code of the placer (the sender). */
  readonly placer: string;
  /** Placer order number (ORC-2 / OBR-2), unique within the placer; for a filler's message that
   * names no placer number, `filler-` and its filler order number (ORC-3 / OBR-3). */
  readonly placerOrderNumber: string;
  readonly orderControl: OrderControl;
  /** The message that carried it. */
  readonly messageType: 'ORM^O01' | 'OML^O21' | 'OMG^O19' | 'OMI^O23';
}

/** `order-{institution}-{placer order number}` */
export function orderStream(institution: string, placerOrderNumber: string): string {
  return `order-${institution}-${placerOrderNumber}`;
}

const SR_STATUS = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'];

/** The runtime check of an OrderRecorded's data: the problems found, each with its path. */
export function checkOrderRecordedV1(data: unknown, path = 'data'): string[] {
  if (!isObject(data)) return [`${path}: expected an object`];
  const problems: string[] = [];
  const field = (name: string, check: DataCheck) => problems.push(...check(data[name], `${path}.${name}`));
  field('placer', institutionCode);
  field('placerOrderNumber', text({ max: 200 }));
  field('orderControl', text({ max: 2 }));
  field('messageType', oneOf(['ORM^O01', 'OML^O21', 'OMG^O19', 'OMI^O23']));
  const sr = data['serviceRequest'];
  if (!isObject(sr) || sr['resourceType'] !== 'ServiceRequest') {
    problems.push(`${path}.serviceRequest: expected a ServiceRequest`);
  } else {
    problems.push(...oneOf(SR_STATUS)(sr['status'], `${path}.serviceRequest.status`));
    problems.push(...oneOf(['order', 'original-order'])(sr['intent'], `${path}.serviceRequest.intent`));
    if (!isObject(sr['subject'])) problems.push(`${path}.serviceRequest.subject: required`);
  }
  return problems;
}
