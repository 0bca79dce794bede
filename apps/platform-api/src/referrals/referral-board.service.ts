import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  boardItem,
  referralBoardQuery,
  referralBoardRowFrom,
  type ReferralBoardFilter,
} from '@yilian/referrals';
import { READ_MODEL_POOL } from '@yilian/runtime';
import { AccessAuditService } from '../audit/access-audit.service';

/** One page of an inbox or outbox, each patient's rows recorded in the access log as read by
 * `actor`: the platform's board and the console's desk answer alike. */
@Injectable()
export class ReferralBoardService {
  constructor(
    @Inject(READ_MODEL_POOL) private readonly pool: Pool,
    private readonly audit: AccessAuditService,
  ) {}

  async page(actor: string, filter: ReferralBoardFilter, page: number) {
    const { text, params } = referralBoardQuery(filter);
    const { rows } = await this.pool.query<Record<string, unknown> & { total: string }>(text, params);
    const items = rows.map((r) => boardItem(referralBoardRowFrom(r), filter.now));
    for (const patientKey of new Set(items.map((i) => i.patientKey))) {
      const returned = items.filter((i) => i.patientKey === patientKey).length;
      await this.audit.record({
        actor,
        patientKey,
        interaction: 'search',
        resourceType: 'ReferralBoard',
        returned,
      });
    }
    return {
      institution: filter.institution,
      box: filter.box,
      at: filter.now,
      page,
      pageSize: filter.limit,
      total: rows[0] ? Number(rows[0].total) : 0,
      items,
    };
  }
}
