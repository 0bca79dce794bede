/**
 * `patient-links`: which key names which patient now, so that results keyed by any of a
 * person's identifiers are found under one patient. One row per key that is linked or merged:
 *
 *   member_key → patient_key   (the merge survivor while merged, else the link target)
 *
 * The link a merge overrides is kept (`linked_to`) and applies again after an unmerge. Chains
 * (an MRN merged into an MRN that is linked to a resident ID number's key) are followed when
 * read (patient-links.queries.ts). Every statement is an idempotent upsert or a guarded update:
 * replaying the same events gives the same table.
 */
import { parsePatientEvent, type RecordedEvent } from '@yilian/contracts';
import type { SqlExecutor } from '@yilian/results';

export const PATIENT_LINKS_DDL = /* sql */ `
CREATE TABLE IF NOT EXISTS rm_patient_links (
  member_key   text PRIMARY KEY,
  linked_to    text,
  linked_via   text,
  merged_into  text,
  patient_key  text GENERATED ALWAYS AS (COALESCE(merged_into, linked_to)) STORED,
  via          text GENERATED ALWAYS AS (CASE WHEN merged_into IS NOT NULL THEN 'merge' ELSE linked_via END) STORED,
  since        timestamptz NOT NULL,
  CHECK (linked_to IS NOT NULL OR merged_into IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS rm_patient_links_patient ON rm_patient_links (patient_key);
`;

const PATIENT_EVENTS: ReadonlySet<string> = new Set([
  'PatientIdentifiersLinked',
  'PatientIdentifiersUnlinked',
  'PatientsMerged',
  'PatientsUnmerged',
]);

function parsed(recorded: RecordedEvent) {
  const result = parsePatientEvent(recorded);
  if (!result.ok) throw new Error(`event ${recorded.id} (${recorded.type}): ${result.problems.join('; ')}`);
  return result.event;
}

/** Links in one statement: each member's last link of the run (an upsert cannot touch a row
 * twice, and a later link of the same member overwrites an earlier one whole). */
async function applyLinks(
  sql: SqlExecutor,
  links: readonly { memberKey: string; patientKey: string; reason: string; since: string }[],
): Promise<void> {
  const last = [...new Map(links.map((l) => [l.memberKey, l])).values()];
  await sql.query(
    `INSERT INTO rm_patient_links (member_key, linked_to, linked_via, since)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     ON CONFLICT (member_key) DO UPDATE SET linked_to = excluded.linked_to, linked_via = excluded.linked_via,
       since = excluded.since`,
    [
      last.map((l) => l.memberKey),
      last.map((l) => l.patientKey),
      last.map((l) => l.reason),
      last.map((l) => l.since),
    ],
  );
}

export const patientLinksProjection = {
  name: 'patient-links',
  ddl: PATIENT_LINKS_DDL,
  canHandle: (event: RecordedEvent) => PATIENT_EVENTS.has(event.type),

  /** In log order; each run of consecutive links (nearly every patient event: the first
   * message carrying both identifiers) in one statement, anything else as `apply` does. */
  async applyMany(sql: SqlExecutor, events: readonly RecordedEvent[]): Promise<void> {
    let run: { memberKey: string; patientKey: string; reason: string; since: string }[] = [];
    for (const recorded of events) {
      const event = parsed(recorded);
      if (event.type === 'PatientIdentifiersLinked') {
        const { memberKey, patientKey, reason } = event.data;
        run.push({ memberKey, patientKey, reason, since: recorded.metadata.occurredAt });
        continue;
      }
      if (run.length > 0) await applyLinks(sql, run);
      run = [];
      await patientLinksProjection.apply(sql, recorded);
    }
    if (run.length > 0) await applyLinks(sql, run);
  },

  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = parsed(recorded);
    const since = recorded.metadata.occurredAt;
    switch (event.type) {
      case 'PatientIdentifiersLinked':
        await sql.query(
          `INSERT INTO rm_patient_links (member_key, linked_to, linked_via, since) VALUES ($1, $2, $3, $4)
           ON CONFLICT (member_key) DO UPDATE SET linked_to = $2, linked_via = $3, since = $4`,
          [event.data.memberKey, event.data.patientKey, event.data.reason, since],
        );
        return;
      case 'PatientIdentifiersUnlinked':
        await sql.query(
          `UPDATE rm_patient_links SET linked_to = NULL, linked_via = NULL, since = $3
           WHERE member_key = $1 AND linked_to = $2 AND merged_into IS NOT NULL`,
          [event.data.memberKey, event.data.patientKey, since],
        );
        await sql.query(
          'DELETE FROM rm_patient_links WHERE member_key = $1 AND linked_to = $2 AND merged_into IS NULL',
          [event.data.memberKey, event.data.patientKey],
        );
        return;
      case 'PatientsMerged':
        await sql.query(
          `INSERT INTO rm_patient_links (member_key, merged_into, since) VALUES ($1, $2, $3)
           ON CONFLICT (member_key) DO UPDATE SET merged_into = $2, since = $3`,
          [event.data.mergedKey, event.data.survivorKey, since],
        );
        return;
      case 'PatientsUnmerged':
        await sql.query(
          `UPDATE rm_patient_links SET merged_into = NULL, since = $3
           WHERE member_key = $1 AND merged_into = $2 AND linked_to IS NOT NULL`,
          [event.data.mergedKey, event.data.survivorKey, since],
        );
        await sql.query(
          'DELETE FROM rm_patient_links WHERE member_key = $1 AND merged_into = $2 AND linked_to IS NULL',
          [event.data.mergedKey, event.data.survivorKey],
        );
        return;
      case 'PatientDemographicsRecorded':
        return;
    }
  },
};
