import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  canonicalJson,
  deterministicEventId,
  type NewEvent,
  orderStream,
  sha256Hex,
} from '@yilian/contracts';
import {
  EVENT_STORE,
  type EventStore,
  IdempotencyConflictError,
  WrongExpectedRevisionError,
} from '@yilian/event-store';
import {
  acknowledgementCodes,
  ackModeFor,
  applicationResponseType,
  buildAck,
  HL7_ERROR,
  type Hl7Error,
  type Hl7Message,
  type IntakeOutcome,
  mapOrderMessage,
  type OrderDraft,
  type OrderMessageType,
  type OrderNote,
  withOrderResponse,
} from '@yilian/hl7v2';
import { InvalidResidentIdError, type PatientKeyer } from '@yilian/patients';
import { decideRecordOrder, evolveOrder, INITIAL_ORDER_STATE, OrderRejection } from '@yilian/results';
import { LOGGER, type Logger, PATIENT_KEYER } from '@yilian/runtime';
import {
  DUPLICATE_TEST_CHECK,
  type DuplicateTestCheck,
  duplicateNoteText,
  NO_DUPLICATE_CHECK,
} from './duplicate-test.port';

type Answer = { outcome: IntakeOutcome; errors: Hl7Error[]; notes: OrderNote[] };
const PID3 = { segment: 'PID', sequence: 1, field: 3 } as const;

/**
 * Orders over MLLP (ORM^O01, OML^O21, OMG^O19, OMI^O23 — imaging orders included): one
 * `OrderRecorded` per order group, in the stream of its placer order number, the patient keyed
 * as for results. Answered only after the durable append with ORR^O02 / ORL^O22 / ORG^O20 /
 * ORI^O24 (MSA, ERR, the RESPONSE group echoing PID, ORC with the answer in ORC-1, TQ1, OBR,
 * IPC), and with a header NTE per recognisable result the duplicate-test check finds for a new
 * order (an imaging order: by its procedure code, and by modality + body site). Nothing of a
 * refused message is appended. Never throws.
 */
@Injectable()
export class OrderHl7Intake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional()
    @Inject(DUPLICATE_TEST_CHECK)
    private readonly duplicates: DuplicateTestCheck = NO_DUPLICATE_CHECK,
  ) {}

  async handle(
    message: Hl7Message,
    type: OrderMessageType,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<string[]> {
    const mapped = mapOrderMessage(message, { institution, type });
    const groups = mapped.ok ? mapped.orders.map((o) => o.group) : mapped.groups;
    const answer: Answer = mapped.ok
      ? await this.record(mapped.orders, mapped.patient, institution, controlId, type, now).catch(
          (e: unknown): Answer => {
            this.logger.error({ err: (e as Error).message, institution, type }, 'HL7 order intake failed');
            const text = 'the hub could not record the message; nothing was recorded, please resend';
            return {
              outcome: 'internal-error',
              errors: [{ segment: 'MSH', sequence: 1, code: 207, message: text }],
              notes: [],
            };
          },
        )
      : { outcome: 'content-error', errors: [...mapped.errors], notes: [] };
    const msh = message.getSegment('MSH');
    const mode = ackModeFor(msh?.getField(15)?.toString(), msh?.getField(16)?.toString());
    const responseType = applicationResponseType(message);
    const opts = { now, ...(responseType ? { responseType } : {}) };
    return acknowledgementCodes(mode, answer.outcome).map((code) => {
      const ack = buildAck(message, code, answer.errors, opts);
      if (code !== 'AA' && code !== 'AE' && code !== 'AR') return ack;
      return withOrderResponse(ack, message, groups, code === 'AA', code === 'AA' ? answer.notes : []);
    });
  }

  private async record(
    orders: readonly OrderDraft[],
    patient: { residentId?: string; mrn?: { value: string } },
    institution: string,
    controlId: string,
    type: OrderMessageType,
    now: Date,
  ): Promise<Answer> {
    let patientKey: string;
    try {
      if (patient.residentId) patientKey = this.keyer.forResidentId(patient.residentId);
      else if (patient.mrn) patientKey = this.keyer.forMrn(institution, patient.mrn.value);
      else
        return contentError({
          ...PID3,
          code: 101,
          message: 'the patient has neither a resident ID number nor an MRN',
        });
    } catch (e) {
      if (e instanceof InvalidResidentIdError)
        return contentError({ ...PID3, code: 102, message: e.message });
      throw e;
    }
    const correlationId = randomUUID();
    const source = { institution, protocol: 'hl7v2' as const, messageId: controlId };
    const commandFor = (o: OrderDraft, i: number) => {
      const messageId = orders.length > 1 ? `${controlId}#${i + 1}` : controlId;
      const authored = o.serviceRequest.authoredOn;
      return {
        type: 'RecordOrder' as const,
        data: {
          serviceRequest: { ...o.serviceRequest, subject: { reference: `Patient/${patientKey}` } },
          placer: institution,
          placerOrderNumber: o.placerOrderNumber,
          orderControl: o.orderControl,
          messageType: type,
        },
        patientKey,
        source: { ...source, messageId },
        // the control id with what the order says: a resend is one event; another order under
        // a control id already used is another event, not a conflict
        eventId: deterministicEventId(
          institution,
          'hl7v2',
          messageId,
          o.placerOrderNumber,
          patientKey,
          sha256Hex(canonicalJson({ ...o.serviceRequest, orderControl: o.orderControl, type })),
        ),
        correlationId,
        occurredAt:
          authored && !Number.isNaN(Date.parse(authored))
            ? new Date(authored).toISOString()
            : now.toISOString(),
      };
    };
    for (let attempt = 1; ; attempt++) {
      try {
        // decide every order first: one refused, nothing appended
        const decided: { stream: string; events: NewEvent[]; expected: 'no_stream' | bigint }[] = [];
        for (const [i, sent] of orders.entries()) {
          let o = sent;
          let stream = orderStream(institution, o.placerOrderNumber);
          let history = await this.store.readStream(stream);
          // a change of one test of an order placed as several OBRs of one number, sent alone:
          // that test's order (`{number}.{OBR-4}`), when there is one and none under the number
          if (history.length === 0 && o.asPanel) {
            const panelStream = orderStream(institution, o.asPanel.placerOrderNumber);
            const panelHistory = await this.store.readStream(panelStream);
            if (panelHistory.length > 0) [o, stream, history] = [o.asPanel, panelStream, panelHistory];
          }
          const state = history.reduce(evolveOrder, INITIAL_ORDER_STATE);
          try {
            const events = decideRecordOrder(state, commandFor(o, i));
            decided.push({
              stream,
              events,
              expected: history.length === 0 ? 'no_stream' : BigInt(history.length - 1),
            });
          } catch (e) {
            if (!(e instanceof OrderRejection)) throw e;
            const head = o.group.orc ?? o.group.obr!;
            return contentError({
              segment: head.segment.name,
              sequence: head.sequence,
              field: 2,
              code: HL7_ERROR.duplicateKey,
              message: e.message,
            });
          }
        }
        for (const d of decided)
          if (d.events.length > 0) await this.store.append(d.stream, d.events, d.expected);
        break;
      } catch (e) {
        if (e instanceof WrongExpectedRevisionError && attempt < 3) continue;
        if (e instanceof IdempotencyConflictError)
          return contentError({
            segment: 'MSH',
            sequence: 1,
            field: 10,
            code: HL7_ERROR.duplicateKey,
            message: 'this control id was already used for another order',
          });
        throw e;
      }
    }
    return { outcome: 'accepted', errors: [], notes: await this.flags(orders, patientKey, institution, now) };
  }

  /** The duplicate-test flags of the new orders; a failing check flags nothing (logged). */
  private async flags(orders: readonly OrderDraft[], patientKey: string, requester: string, now: Date) {
    const notes: OrderNote[] = [];
    for (const o of orders) {
      if (o.serviceRequest.status !== 'active' || o.orderControl !== 'NW') continue;
      try {
        const found = await this.duplicates.recognisable({
          patientKey,
          requester,
          code: o.serviceRequest.code!,
          ...(o.imaging?.modality ? { modalities: [o.imaging.modality] } : {}),
          ...(o.imaging?.bodySite ? { bodySites: [o.imaging.bodySite] } : {}),
          asOf: now,
        });
        for (const r of found) notes.push({ text: `${o.placerOrderNumber} ${duplicateNoteText(r)}` });
      } catch (e) {
        this.logger.warn(
          { err: (e as Error).message, institution: requester },
          'duplicate-test check failed',
        );
      }
    }
    return notes;
  }
}

function contentError(error: Hl7Error): Answer {
  return { outcome: 'content-error', errors: [error], notes: [] };
}
