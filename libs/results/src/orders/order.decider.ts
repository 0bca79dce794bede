/**
 * Orders (申请单) as placers send them: each placer order number is a stream; every message for
 * it (new, change, cancel, hold) is a new `OrderRecorded` version unless it says what the latest
 * already says (a resend under another control id). An order stays its first patient's: a
 * message naming another patient for the same placer number is refused. Pure: decide / evolve.
 */
import {
  canonicalJson,
  ORDER_RECORDED,
  type EventSource,
  type NewEvent,
  type OrderRecordedV1,
  type RecordedEvent,
  sha256Hex,
} from '@yilian/contracts';

export interface RecordOrder {
  readonly type: 'RecordOrder';
  readonly data: OrderRecordedV1;
  readonly patientKey: string;
  readonly source: EventSource;
  readonly eventId: string;
  readonly correlationId: string;
  /** When the order was placed (ORC-9), else when received. */
  readonly occurredAt: string;
}

export interface OrderState {
  readonly versions: number;
  readonly patientKey?: string;
  readonly contentHash?: string;
}

export const INITIAL_ORDER_STATE: OrderState = { versions: 0 };

export class OrderRejection extends Error {
  constructor(
    readonly code: 'patient-mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'OrderRejection';
  }
}

/** What a version says, whatever message carried it. */
export function orderContentHash(data: OrderRecordedV1): string {
  return sha256Hex(canonicalJson({ serviceRequest: data.serviceRequest, orderControl: data.orderControl }));
}

export function evolveOrder(state: OrderState, event: RecordedEvent): OrderState {
  if (event.type !== ORDER_RECORDED) return state;
  const data = event.data as OrderRecordedV1;
  return {
    versions: state.versions + 1,
    ...(event.metadata.patientKey ? { patientKey: event.metadata.patientKey } : {}),
    contentHash: orderContentHash(data),
  };
}

export function decideRecordOrder(
  state: OrderState,
  command: RecordOrder,
): NewEvent<typeof ORDER_RECORDED, OrderRecordedV1>[] {
  if (state.patientKey && state.patientKey !== command.patientKey)
    throw new OrderRejection(
      'patient-mismatch',
      `order ${command.data.placerOrderNumber} was placed for another patient`,
    );
  if (state.contentHash === orderContentHash(command.data)) return [];
  return [
    {
      id: command.eventId,
      type: ORDER_RECORDED,
      schemaVersion: 1,
      data: command.data,
      metadata: {
        source: command.source,
        patientKey: command.patientKey,
        correlationId: command.correlationId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}
