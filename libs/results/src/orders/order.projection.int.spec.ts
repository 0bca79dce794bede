/* rm_orders on a real PostgreSQL: the current version per order stream, every version kept
 * (meta.versionId / lastUpdated from the log); applyMany in batches leaves exactly the tables
 * that apply one by one leaves (a rebuild replays the log through the same code), and a
 * redelivered event is no new version when the runner skips it — here the projection alone. */
import { Pool } from 'pg';
import {
  type fhir4,
  ORDER_RECORDED,
  type OrderRecordedV1,
  orderStream,
  type RecordedEvent,
} from '@yilian/contracts';
import { createTestDatabase } from '@yilian/testing';
import { ORDER_READ_MODEL_DDL, orderProjection } from './order.projection';

let sequence = 0;
const positions = new Map<string, number>();
function orderEvent(
  placer: string,
  number: string,
  status: fhir4.ServiceRequest['status'],
  control: string,
  authoredOn?: string,
): RecordedEvent {
  sequence++;
  const stream = orderStream(placer, number);
  const position = positions.get(stream) ?? 0;
  positions.set(stream, position + 1);
  const data: OrderRecordedV1 = {
    placer,
    placerOrderNumber: number,
    orderControl: control,
    messageType: 'OML^O21',
    serviceRequest: {
      resourceType: 'ServiceRequest',
      id: `00000000-0000-5000-8000-${placer.slice(1)}${number.padStart(8, '0')}`,
      status,
      intent: 'order',
      code: { coding: [{ system: 'http://loinc.org', code: '58410-2' }] },
      subject: { reference: 'Patient/pk_order_1' },
      ...(authoredOn ? { authoredOn } : {}),
    },
  };
  return {
    id: `00000000-0000-8000-8000-${sequence.toString().padStart(12, '0')}`,
    type: ORDER_RECORDED,
    schemaVersion: 1,
    stream,
    streamPosition: BigInt(position),
    position: { commit: BigInt(sequence), prepare: BigInt(sequence) },
    recordedAt: new Date(Date.UTC(2026, 11, 7, 1, 0, sequence)).toISOString(),
    hash: 'h',
    previousHash: null,
    data,
    metadata: {
      source: { institution: placer, messageId: `m${sequence}`, protocol: 'hl7v2' },
      correlationId: 'c',
      patientKey: 'pk_order_1',
      occurredAt: new Date(Date.UTC(2026, 11, 7, 0, 0, sequence)).toISOString(),
    },
  };
}

async function tables(pool: Pool) {
  return {
    current: (await pool.query('SELECT * FROM rm_orders ORDER BY id')).rows,
    versions: (await pool.query('SELECT * FROM rm_order_versions ORDER BY id, version')).rows,
  };
}

describe('orders read model (rm_orders, rm_order_versions)', () => {
  const pools: Pool[] = [];
  afterAll(() => Promise.all(pools.map((p) => p.end())));
  const database = async (label: string) => {
    const pool = new Pool({ connectionString: await createTestDatabase(label), max: 2 });
    pools.push(pool);
    await pool.query(ORDER_READ_MODEL_DDL);
    await pool.query(ORDER_READ_MODEL_DDL); // idempotent
    return pool;
  };

  const events = [
    orderEvent('H001', '1001', 'active', 'NW', '2025-12-01T08:55:00+08:00'),
    orderEvent('H001', '1002', 'active', 'NW'), // no authoredOn: sorted by occurredAt
    orderEvent('C002', '1001', 'active', 'NW', '2025-12-02T09:00:00+08:00'), // another placer, same number
    orderEvent('H001', '1001', 'on-hold', 'HD', '2025-12-01T08:55:00+08:00'), // a later version in the batch
    // second batch from here
    orderEvent('H001', '1001', 'revoked', 'CA', '2025-12-01T08:55:00+08:00'),
    orderEvent('H001', '1002', 'active', 'XO'),
  ];

  it('keeps the current version per order and every version; a cancel is the new current status', async () => {
    const pool = await database('orders_one_by_one');
    for (const e of events) await orderProjection.apply(pool, e);
    const { current, versions } = await tables(pool);
    expect(current).toHaveLength(3);
    const first = current.find((r) => r.stream === orderStream('H001', '1001'))!;
    expect(first).toMatchObject({
      placer: 'H001',
      placer_order_number: '1001',
      order_control: 'CA',
      status: 'revoked',
      version: 3,
      patient_key: 'pk_order_1',
    });
    expect(first.authored_on.toISOString()).toBe('2025-12-01T00:55:00.000Z');
    expect(first.resource).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'revoked',
      meta: { versionId: '3', lastUpdated: events[4]!.recordedAt },
    });
    const second = current.find((r) => r.stream === orderStream('H001', '1002'))!;
    expect(second.authored_on.toISOString()).toBe(events[1]!.metadata.occurredAt);
    expect(
      versions.filter((v) => v.id === first.id).map((v) => [v.version, v.resource.status, v.event_id]),
    ).toEqual([
      [1, 'active', events[0]!.id],
      [2, 'on-hold', events[3]!.id],
      [3, 'revoked', events[4]!.id],
    ]);
    expect(versions).toHaveLength(6);
  });

  it('applyMany in batches (a rebuild’s path) gives the tables of one by one', async () => {
    const one = await database('orders_one');
    for (const e of events) await orderProjection.apply(one, e);
    const batch = await database('orders_batch');
    await orderProjection.applyMany(batch, events.slice(0, 4));
    await orderProjection.applyMany(batch, events.slice(4));
    const expected = await tables(one);
    expect(await tables(batch)).toEqual(expected);
    expect(expected.current.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  it('reads only OrderRecorded', () => {
    expect(orderProjection.canHandle(events[0]!)).toBe(true);
    expect(orderProjection.canHandle({ ...events[0]!, type: 'ImagingStudyRecorded' })).toBe(false);
  });
});
