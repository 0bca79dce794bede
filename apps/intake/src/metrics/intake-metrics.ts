import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MllpServerEvent } from '@yilian/hl7v2';
import { IMAGING_MESSAGE_TYPES, LAB_RESULT_MESSAGE_TYPES, PATIENT_ADT_TYPES } from '@yilian/hl7v2';
import { appMetricsRegistry, HttpMetrics, LATENCY_BUCKETS, type MetricReading } from '@yilian/runtime';

export const INTAKE_METRICS = Symbol('INTAKE_METRICS');

/** The message types the intake takes; any other MSH-9 is counted as `other`, so no sender can
 * grow the label set (nor put text of its own into the metrics). */
const ACCEPTED_TYPES: ReadonlySet<string> = new Set([
  ...IMAGING_MESSAGE_TYPES,
  ...LAB_RESULT_MESSAGE_TYPES,
  ...PATIENT_ADT_TYPES,
  'REF^I12',
]);
const ACK_CODES: ReadonlySet<string> = new Set(['AA', 'AE', 'AR', 'CA', 'CE', 'CR']);

/**
 * What an operator watches on the intake, in Prometheus form: HL7 v2 messages by institution,
 * message type and acknowledgement code, the time to the (first) acknowledgement, MLLP
 * connections and refused frames, HTTP requests by route and status, and (optionally) Node's
 * own process metrics. Labels are institution codes, message types, codes and route patterns —
 * never anything a message carries about a patient.
 */
export class IntakeMetrics {
  readonly registry: Registry;
  private readonly hl7Messages: Counter<'institution' | 'type' | 'ack'>;
  private readonly hl7AckSeconds: Histogram<'institution'>;
  private readonly mllpConnections: Gauge<'institution'>;
  private readonly mllpClosed: Counter<'institution' | 'reason'>;
  private readonly mllpRejected: Counter<'institution' | 'reason'>;
  private readonly handlerFailures: Counter<'institution'>;
  /** Express middleware counting HTTP requests (`yilian_intake_http_*`). */
  readonly http: HttpMetrics['middleware'];

  /** `processMetrics`: Node's own metrics too (CPU, memory, event-loop lag, GC) — for the
   * process that serves them; they watch the process for as long as it lives. `readings`: what
   * else the process serves with them (the embedded hub: its projector). */
  constructor(
    options: { readonly processMetrics?: boolean; readonly readings?: readonly MetricReading[] } = {},
  ) {
    const registry = appMetricsRegistry('intake', options.readings ?? [], options);
    this.registry = registry;
    const registers = [registry];
    this.hl7Messages = new Counter({
      name: 'yilian_intake_hl7_messages_total',
      help: 'HL7 v2 messages answered, by institution (the MLLP port), MSH-9 and the first acknowledgement code (none: MSH-15/16 asked for none)',
      labelNames: ['institution', 'type', 'ack'],
      registers,
    });
    this.hl7AckSeconds = new Histogram({
      name: 'yilian_intake_hl7_ack_seconds',
      help: 'From a whole MLLP frame received to its first acknowledgement ready (AA only after the durable append)',
      labelNames: ['institution'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.mllpConnections = new Gauge({
      name: 'yilian_intake_mllp_connections',
      help: 'MLLP connections open, by institution',
      labelNames: ['institution'],
      registers,
    });
    this.mllpClosed = new Counter({
      name: 'yilian_intake_mllp_connections_closed_total',
      help: 'MLLP connections closed, by institution and reason (client, idle-timeout, noise, oversize, error, server-close)',
      labelNames: ['institution', 'reason'],
      registers,
    });
    this.mllpRejected = new Counter({
      name: 'yilian_intake_mllp_frames_rejected_total',
      help: 'MLLP frames refused before parsing, by institution and reason (oversize, not-hl7)',
      labelNames: ['institution', 'reason'],
      registers,
    });
    this.handlerFailures = new Counter({
      name: 'yilian_intake_hl7_handler_failures_total',
      help: 'HL7 v2 messages whose handling failed unexpectedly (answered AR / CR, application internal error; nothing recorded)',
      labelNames: ['institution'],
      registers,
    });
    this.http = new HttpMetrics(registry, 'yilian_intake').middleware;
  }

  /** One HL7 v2 message answered: `acks` as returned to the MLLP server. */
  hl7Answered(institution: string, message: string, acks: readonly string[], seconds: number): void {
    const ack = acks.length > 0 ? ackCodeOf(acks[0]!) : 'none';
    this.hl7Messages.inc({ institution, type: messageTypeLabel(message), ack });
    if (acks.length > 0) this.hl7AckSeconds.observe({ institution }, seconds);
  }

  mllpEvent(institution: string, event: MllpServerEvent): void {
    if (event.type === 'connection-opened') this.mllpConnections.inc({ institution });
    else if (event.type === 'connection-closed') {
      this.mllpConnections.dec({ institution });
      this.mllpClosed.inc({ institution, reason: event.reason });
    } else if (event.type === 'frame-rejected') this.mllpRejected.inc({ institution, reason: event.reason });
    else if (event.type === 'handler-failed') this.handlerFailures.inc({ institution });
  }
}

/** MSH-9 as `code^trigger` when it is a type the intake takes, else `other`. */
export function messageTypeLabel(message: string): string {
  if (!message.startsWith('MSH') || message.length < 8) return 'other';
  const fs = message[3]!;
  const cs = message[4]!;
  const end = message.search(/[\r\n]/);
  const field = (end < 0 ? message : message.slice(0, end)).split(fs)[8] ?? '';
  const [code = '', trigger = ''] = field.split(cs);
  const type = `${code.trim().toUpperCase()}^${trigger.trim().toUpperCase()}`;
  return ACCEPTED_TYPES.has(type) ? type : 'other';
}

/** MSA-1 of an acknowledgement text. */
function ackCodeOf(ack: string): string {
  const at = ack.indexOf('\rMSA');
  const code = at < 0 ? '' : ack.slice(at + 5, at + 7);
  return ACK_CODES.has(code) ? code : 'other';
}
