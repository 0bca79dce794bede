/**
 * Alliances and their members as the platform and the indicators read them: one row per
 * alliance, one per membership (left_at set once the institution left). Rebuilt from the log,
 * it gives the same rows: every value comes from the events.
 */
import {
  ALLIANCE_EVENT_TYPES,
  ALLIANCE_REGISTERED,
  INSTITUTION_JOINED_ALLIANCE,
  INSTITUTION_LEFT_ALLIANCE,
  parseAllianceEvent,
} from '../contracts';
import type { ProjectedEvent, SqlExecutor } from './sql-executor';

export const ALLIANCE_MEMBERS_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_alliances (
  alliance_id              text PRIMARY KEY,
  name                     text NOT NULL,
  form                     text NOT NULL,
  referral_response_hours  int NOT NULL,
  registered_at            timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS rm_alliance_members (
  alliance_id  text NOT NULL,
  institution  text NOT NULL,
  name         text NOT NULL,
  level        text NOT NULL,
  role         text NOT NULL,
  joined_at    timestamptz NOT NULL,
  left_at      timestamptz,
  PRIMARY KEY (alliance_id, institution)
);
CREATE INDEX IF NOT EXISTS rm_alliance_members_institution ON rm_alliance_members (institution);
`;

export const allianceMembersProjection = {
  name: 'alliance-members',
  ddl: ALLIANCE_MEMBERS_DDL,
  canHandle: (event: { readonly type: string }): boolean =>
    (ALLIANCE_EVENT_TYPES as readonly string[]).includes(event.type),

  async apply(sql: SqlExecutor, recorded: ProjectedEvent): Promise<void> {
    const parsed = parseAllianceEvent(recorded);
    if (!parsed.ok) throw new Error(`${recorded.stream}: invalid ${recorded.type}: ${parsed.problems[0]}`);
    const { event } = parsed;
    switch (event.type) {
      case ALLIANCE_REGISTERED: {
        const d = event.data;
        await sql.query(
          `INSERT INTO rm_alliances (alliance_id, name, form, referral_response_hours, registered_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (alliance_id) DO NOTHING`,
          [d.allianceId, d.name, d.form, d.referralResponseHours, d.registeredAt],
        );
        return;
      }
      case INSTITUTION_JOINED_ALLIANCE: {
        const d = event.data;
        await sql.query(
          `INSERT INTO rm_alliance_members (alliance_id, institution, name, level, role, joined_at, left_at)
           VALUES ($1, $2, $3, $4, $5, $6, NULL)
           ON CONFLICT (alliance_id, institution) DO UPDATE SET name = $3, level = $4, role = $5,
             joined_at = $6, left_at = NULL`,
          [d.allianceId, d.institution, d.name, d.level, d.role, d.joinedAt],
        );
        return;
      }
      case INSTITUTION_LEFT_ALLIANCE:
        await sql.query(
          `UPDATE rm_alliance_members SET left_at = $3 WHERE alliance_id = $1 AND institution = $2`,
          [event.data.allianceId, event.data.institution, event.data.leftAt],
        );
        return;
      default: {
        const unknown: never = event;
        throw new Error(`unhandled alliance event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
