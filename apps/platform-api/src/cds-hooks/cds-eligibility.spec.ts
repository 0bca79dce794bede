import type { SqlExecutor } from '@yilian/results';
import { CdsRecognitionEligibility, RULES_RECHECK_MS } from './cds-eligibility';

/** A read model with no rules and no results that counts the statements it is sent. */
function fakeSql(): SqlExecutor & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (text: string) => {
      statements.push(text);
      const rows = text.includes('count(*)') ? [{ n: '0' }] : [];
      return Promise.resolve({ rows, rowCount: rows.length });
    },
  } as unknown as SqlExecutor & { statements: string[] };
}

const counts = (s: string[]) =>
  s.filter((t) => t.includes('FROM rm_recognition_rules') && t.includes('count(*)')).length;

it('asks the rules table at most once a second for moments close together; another moment asks again', async () => {
  const sql = fakeSql();
  const eligibility = new CdsRecognitionEligibility(sql);
  const now = new Date('2026-03-10T02:00:00Z');
  const first = await eligibility.rulesAt(now);
  expect(await eligibility.rulesAt(new Date(now.getTime() + RULES_RECHECK_MS - 1))).toBe(first);
  expect(counts(sql.statements)).toBe(1);
  await eligibility.rulesAt(new Date(now.getTime() + RULES_RECHECK_MS));
  await eligibility.rulesAt(new Date('2026-01-01T02:00:00Z'));
  expect(counts(sql.statements)).toBe(3);
});
