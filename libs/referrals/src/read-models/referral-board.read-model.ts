/** The referral board as a projection the ProjectionRunner drives: read the row, evolve it
 * with the event (evolveReferralBoard), write it back. Same log, same rows. */
import type { ProjectedEvent, SqlExecutor } from '@yilian/alliance';
import { parseReferralEvent } from '../contracts';
import { canHandleReferralBoard, evolveReferralBoard } from '../referral-board.projection';
import {
  REFERRAL_BOARD_DDL,
  REFERRAL_BOARD_SELECT,
  REFERRAL_BOARD_UPSERT,
  referralBoardParams,
  referralBoardRowFrom,
} from '../referral-board.sql';

export const referralBoardProjection = {
  name: 'referral-board',
  ddl: REFERRAL_BOARD_DDL,
  canHandle: canHandleReferralBoard,

  async apply(sql: SqlExecutor, recorded: ProjectedEvent): Promise<void> {
    const parsed = parseReferralEvent(recorded);
    if (!parsed.ok) throw new Error(`${recorded.stream}: invalid ${recorded.type}: ${parsed.problems[0]}`);
    const { event } = parsed;
    const { rows } = await sql.query(REFERRAL_BOARD_SELECT, [event.data.referralId]);
    const before = rows[0] ? referralBoardRowFrom(rows[0]) : null;
    const after = evolveReferralBoard(before, event);
    if (after && after !== before) await sql.query(REFERRAL_BOARD_UPSERT, referralBoardParams(after));
  },
};
