/** Outpatient visits per institution and day, as last reported: the denominator of "booked
 * referrals as a share of outpatient volume". Reads version 2 only (the total, and the split
 * when reported): the projection runner upcasts v1 events before they get here. */
import { OUTPATIENT_VOLUME_REPORTED, parseOutpatientVolumeReportedV2 } from '../contracts';
import type { ProjectedEvent, SqlExecutor } from './sql-executor';

export const OUTPATIENT_VOLUME_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_outpatient_volume (
  institution  text NOT NULL,
  day          date NOT NULL,
  visits       int NOT NULL,
  reported_at  timestamptz NOT NULL,
  PRIMARY KEY (institution, day)
);
`;

export const outpatientVolumeProjection = {
  name: 'outpatient-volume',
  ddl: OUTPATIENT_VOLUME_DDL,
  canHandle: (event: { readonly type: string }): boolean => event.type === OUTPATIENT_VOLUME_REPORTED,

  async apply(sql: SqlExecutor, recorded: ProjectedEvent): Promise<void> {
    const parsed = parseOutpatientVolumeReportedV2(recorded);
    if (!parsed.ok) throw new Error(`${recorded.stream}: invalid ${recorded.type}: ${parsed.problems[0]}`);
    const { institution, day, visits, reportedAt } = parsed.data;
    await sql.query(
      `INSERT INTO rm_outpatient_volume (institution, day, visits, reported_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (institution, day) DO UPDATE SET visits = $3, reported_at = $4`,
      [institution, day, visits.total, reportedAt],
    );
  },
};
