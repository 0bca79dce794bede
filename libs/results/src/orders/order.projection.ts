import { ORDER_RECORDED, type OrderRecordedV1, type RecordedEvent } from '@yilian/contracts';
import type { SqlExecutor } from '../sql-executor';

/**
 * Orders (申请单) as FHIR ServiceRequests: the current version of each order stream
 * (`rm_orders`) and every version (`rm_order_versions`, for `_history` and vread). Each
 * `OrderRecorded` is a new version (the decider records nothing when a message says what the
 * latest already says); versions carry the event's recordedAt as lastUpdated, so a rebuild from
 * the log writes the same rows. The id is the ServiceRequest's own (a name-based UUID of placer
 * and placer order number): no referral id has that form (they are `<sender>.<number>` or
 * `ref-<hash>`), so one `/fhir/ServiceRequest/<id>` serves both.
 */
export const ORDER_READ_MODEL_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_orders (
  id                   text PRIMARY KEY,
  stream               text NOT NULL UNIQUE,
  patient_key          text NOT NULL,
  placer               text NOT NULL,
  placer_order_number  text NOT NULL,
  order_control        text NOT NULL,
  message_type         text NOT NULL,
  status               text NOT NULL,
  authored_on          timestamptz NOT NULL,
  version              int NOT NULL,
  resource             jsonb NOT NULL,
  last_updated         timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_orders_patient ON rm_orders (patient_key, authored_on DESC, id);
CREATE INDEX IF NOT EXISTS rm_orders_placer ON rm_orders (placer, authored_on DESC);

CREATE TABLE IF NOT EXISTS rm_order_versions (
  id           text NOT NULL,
  version      int NOT NULL,
  event_id     uuid NOT NULL,
  resource     jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (id, version)
);
`;

interface OrderRow {
  id: string;
  stream: string;
  patient_key: string;
  placer: string;
  placer_order_number: string;
  order_control: string;
  message_type: string;
  status: string;
  authored_on: string;
  version: number;
  resource: unknown;
  event_id: string;
  recorded_at: string;
}

/** When the order was placed: its authoredOn; else the time the order already has (a change
 * keeps its place), else the event's occurredAt (ORC-9, else when received) —
 * all from the log, so a rebuild sorts the same. */
function authoredOn(event: RecordedEvent, data: OrderRecordedV1, before: string | undefined): string {
  const t = Date.parse(data.serviceRequest.authoredOn ?? '');
  if (!Number.isNaN(t)) return new Date(t).toISOString();
  return before ?? new Date(Date.parse(event.metadata.occurredAt)).toISOString();
}

interface Held {
  readonly version: number;
  readonly authoredOn: string;
}

/** The rows of a batch of events, versions numbered from what each id holds (`at`). */
function rowsOf(events: readonly RecordedEvent[], at: Map<string, Held>): OrderRow[] {
  return events.map((event) => {
    const data = event.data as OrderRecordedV1;
    const id = data.serviceRequest.id!;
    const version = (at.get(id)?.version ?? 0) + 1;
    const authored = authoredOn(event, data, at.get(id)?.authoredOn);
    at.set(id, { version, authoredOn: authored });
    const resource = {
      ...data.serviceRequest,
      meta: { versionId: String(version), lastUpdated: event.recordedAt },
    };
    return {
      id,
      stream: event.stream,
      patient_key: event.metadata.patientKey ?? '',
      placer: data.placer,
      placer_order_number: data.placerOrderNumber,
      order_control: data.orderControl,
      message_type: data.messageType,
      status: data.serviceRequest.status,
      authored_on: authored,
      version,
      resource,
      event_id: event.id,
      recorded_at: event.recordedAt,
    };
  });
}

/** A batch in three statements: the versions numbered as one by one would (the current row's,
 * then one more per event, in log order). `apply` is the batch of one. */
async function applyOrders(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
  const ids = [...new Set(events.map((e) => (e.data as OrderRecordedV1).serviceRequest.id!))];
  const { rows: held } = await sql.query<{ id: string; version: number; authored_on: Date }>(
    'SELECT id, version, authored_on FROM rm_orders WHERE id = ANY($1::text[])',
    [ids],
  );
  const at = new Map(
    held.map((r) => [r.id, { version: r.version, authoredOn: new Date(r.authored_on).toISOString() }]),
  );
  const rows = rowsOf(events, at);
  const latest = [...new Map(rows.map((r) => [r.id, r])).values()];
  await sql.query(
    `INSERT INTO rm_orders (id, stream, patient_key, placer, placer_order_number, order_control, message_type,
       status, authored_on, version, resource, last_updated)
     SELECT x.id, x.stream, x.patient_key, x.placer, x.placer_order_number, x.order_control, x.message_type,
       x.status, x.authored_on, x.version, x.resource, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, stream text, patient_key text, placer text,
       placer_order_number text, order_control text, message_type text, status text, authored_on timestamptz,
       version int, resource jsonb, recorded_at timestamptz)
     ON CONFLICT (id) DO UPDATE SET patient_key = excluded.patient_key, order_control = excluded.order_control,
       message_type = excluded.message_type, status = excluded.status, authored_on = excluded.authored_on,
       version = excluded.version, resource = excluded.resource, last_updated = excluded.last_updated`,
    [JSON.stringify(latest)],
  );
  await sql.query(
    `INSERT INTO rm_order_versions (id, version, event_id, resource, recorded_at)
     SELECT x.id, x.version, x.event_id, x.resource, x.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, version int, event_id uuid, resource jsonb, recorded_at timestamptz)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          version: r.version,
          event_id: r.event_id,
          resource: r.resource,
          recorded_at: r.recorded_at,
        })),
      ),
    ],
  );
}

export const orderProjection = {
  name: 'orders',
  ddl: ORDER_READ_MODEL_DDL,
  canHandle: (event: RecordedEvent) => event.type === ORDER_RECORDED,
  applyMany: (sql: SqlExecutor, events: readonly RecordedEvent[]) => applyOrders(sql, events),
  apply: (sql: SqlExecutor, event: RecordedEvent) => applyOrders(sql, [event]),
};
