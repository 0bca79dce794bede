import type { NamedStatement, SqlExecutor } from '@yilian/results';
import { RecognitionEligibility } from './eligibility.service';

/** A read model with no rules and no results that counts the statements it is sent. */
function fakeSql(): SqlExecutor & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (statement: string | NamedStatement) => {
      const text = typeof statement === 'string' ? statement : statement.text;
      statements.push(text);
      const rows = text.includes('count(*)') ? [{ n: '0' }] : [];
      return Promise.resolve({ rows, rowCount: rows.length });
    },
  } as unknown as SqlExecutor & { statements: string[] };
}

const counts = (s: string[]) =>
  s.filter((t) => t.includes('FROM rm_recognition_rules') && t.includes('count(*)')).length;

it('with rulesRecheckMs, asks the rules table at most once per interval for moments close together; another moment asks again', async () => {
  const sql = fakeSql();
  const recheck = 1000;
  const eligibility = new RecognitionEligibility(sql, { rulesRecheckMs: recheck });
  const now = new Date('2026-03-10T02:00:00Z');
  const first = await eligibility.rulesAt(now);
  expect(await eligibility.rulesAt(new Date(now.getTime() + recheck - 1))).toBe(first);
  expect(counts(sql.statements)).toBe(1);
  await eligibility.rulesAt(new Date(now.getTime() + recheck));
  await eligibility.rulesAt(new Date('2026-01-01T02:00:00Z'));
  expect(counts(sql.statements)).toBe(3);
});

it('by default asks the rules table on every call (a rule recorded a moment ago counts)', async () => {
  const sql = fakeSql();
  const eligibility = new RecognitionEligibility(sql);
  const now = new Date('2026-03-10T02:00:00Z');
  await eligibility.rulesAt(now);
  await eligibility.rulesAt(new Date(now.getTime() + 1));
  expect(counts(sql.statements)).toBe(2);
});
