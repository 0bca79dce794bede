/**
 * What each duplicate-test card the hub issued stands for, so that feedback arriving later — at
 * another platform-api instance, or after a restart — maps the card's uuid back to the result
 * it named: `pa_cds_cards` in the read database, owned by the CDS Hooks slice (its DDL below, run
 * at start-up as the access log's is). The uuid itself is random (randomUUID): it carries
 * nothing, the patient key stays in the table (the hub's opaque key, as in `pa_access_log`).
 *
 * Cards issued together (one answer, or answers within one turn of the event loop) are written
 * in one INSERT, and the answer waits for it: a card the client holds is always one the hub can
 * find. Rows older than the retention (92 days: longer than any result stays valid for
 * recognition) are dropped.
 */
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { GroupedWrites, migrateUnderLock } from '../access/grouped-writes';

export const CDS_CARDS_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS pa_cds_cards (
  uuid          uuid PRIMARY KEY,
  issued_at     timestamptz NOT NULL DEFAULT now(),
  service_id    text NOT NULL,
  requester     text NOT NULL,
  practitioner  text,
  patient_key   text NOT NULL,
  encounter     text,
  result_type   text NOT NULL,
  result_id     text NOT NULL,
  result_stream text NOT NULL,
  item_code     text NOT NULL,
  order_ref     text NOT NULL
);
CREATE INDEX IF NOT EXISTS pa_cds_cards_issued ON pa_cds_cards (issued_at);
`;

export const CDS_CARDS_RETENTION_DAYS = 92;

/** One issued card: what its uuid stands for. */
export interface IssuedCard {
  readonly uuid: string;
  readonly serviceId: string;
  /** The institution the card was issued to (the key's). */
  readonly requester: string;
  /** The hook's `context.userId` id part (Practitioner/{id}). */
  readonly practitioner?: string;
  readonly patientKey: string;
  /** The hook's `context.encounterId`, when it had one. */
  readonly encounter?: string;
  readonly resultType: string;
  readonly resultId: string;
  readonly resultStream: string;
  /** The ordered catalogue item the card is about. */
  readonly itemCode: string;
  /** `ServiceRequest/{id}`: the draft order the card suggested deleting. */
  readonly orderRef: string;
}

@Injectable()
export class CdsCardStore implements OnModuleInit, OnModuleDestroy {
  private readonly writes = new GroupedWrites<readonly IssuedCard[], void>(200, (batches) =>
    this.insert(batches.flat()).then(() => batches.map(() => undefined)),
  );
  private purgeTimer: NodeJS.Timeout | undefined;
  readonly retentionDays = CDS_CARDS_RETENTION_DAYS;

  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    await migrateUnderLock(this.pool, 7351012, CDS_CARDS_DDL);
    this.purgeTimer = setInterval(() => void this.purge(new Date()).catch(() => undefined), 6 * 3600_000);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** Resolves once every card is stored. */
  remember(cards: readonly IssuedCard[]): Promise<void> {
    if (cards.length === 0) return Promise.resolve();
    return this.writes.submit(cards);
  }

  /** The cards of `uuids` the hub issued (others are simply absent). */
  async find(uuids: readonly string[]): Promise<Map<string, IssuedCard>> {
    const wanted = [...new Set(uuids.map((u) => u.toLowerCase()))].filter((u) => UUID.test(u));
    const found = new Map<string, IssuedCard>();
    if (wanted.length === 0) return found;
    const { rows } = await this.pool.query<{
      uuid: string;
      service_id: string;
      requester: string;
      practitioner: string | null;
      patient_key: string;
      encounter: string | null;
      result_type: string;
      result_id: string;
      result_stream: string;
      item_code: string;
      order_ref: string;
    }>(
      `SELECT uuid::text, service_id, requester, practitioner, patient_key, encounter, result_type,
              result_id, result_stream, item_code, order_ref
         FROM pa_cds_cards WHERE uuid = ANY($1::uuid[])`,
      [wanted],
    );
    for (const r of rows)
      found.set(r.uuid, {
        uuid: r.uuid,
        serviceId: r.service_id,
        requester: r.requester,
        ...(r.practitioner ? { practitioner: r.practitioner } : {}),
        patientKey: r.patient_key,
        ...(r.encounter ? { encounter: r.encounter } : {}),
        resultType: r.result_type,
        resultId: r.result_id,
        resultStream: r.result_stream,
        itemCode: r.item_code,
        orderRef: r.order_ref,
      });
    return found;
  }

  async purge(now: Date): Promise<number> {
    const before = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const { rowCount } = await this.pool.query('DELETE FROM pa_cds_cards WHERE issued_at < $1', [before]);
    return rowCount ?? 0;
  }

  /** One INSERT for the cards of answers given together. */
  private async insert(cards: readonly IssuedCard[]): Promise<void> {
    const col = <T>(f: (c: IssuedCard) => T) => cards.map(f);
    await this.pool.query({
      name: 'pa-cds-cards-insert',
      text: `INSERT INTO pa_cds_cards (uuid, service_id, requester, practitioner, patient_key, encounter,
         result_type, result_id, result_stream, item_code, order_ref)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       ON CONFLICT (uuid) DO NOTHING`,
      values: [
        col((c) => c.uuid),
        col((c) => c.serviceId),
        col((c) => c.requester),
        col((c) => c.practitioner ?? null),
        col((c) => c.patientKey),
        col((c) => c.encounter ?? null),
        col((c) => c.resultType),
        col((c) => c.resultId),
        col((c) => c.resultStream),
        col((c) => c.itemCode),
        col((c) => c.orderRef),
      ],
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
