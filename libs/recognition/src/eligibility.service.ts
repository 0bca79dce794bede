/**
 * The eligibility query: for a patient (any of its keys), a requesting institution and a
 * moment, every result the hub knew then, judged under the rules it knew then.
 *
 * One statement per query, sent under a name so that each connection plans it once: the
 * patient's keys (rm_patient_links, walked as `SAME_PATIENT_KEYS_SQL` does), the result versions
 * current at the moment (rm_recognition_results by patient_key) and how many rule facts the read
 * model holds. The rules (a few thousand rows at most: catalogues, quality statuses,
 * memberships) are held in memory as a RulesBook, reloaded when that count changes, and folded
 * once per (facts known, day).
 */
import { SAME_PATIENT_KEYS_SQL } from '@yilian/patients';
import type { NamedStatement, SqlExecutor } from '@yilian/results';
import { shanghaiDay } from './days';
import { judgeResult } from './eligibility.rules';
import type {
  EligibilityAnswer,
  EligibilityQuery,
  EligibilityService,
  ResultEligibility,
} from './eligibility.types';
import { codingMatchesAny } from './matching';
import type { ResultRecord } from './result-record';
import { RulesBook, type RuleFact, type RulesAt } from './rules-book';

const RULES_COUNT: NamedStatement = {
  name: 'yl_recognition_rules_count',
  text: 'SELECT count(*)::text AS n FROM rm_recognition_rules',
};

const resultsOfPatient = (count: string) => /* sql */ `
WITH keys AS (${SAME_PATIENT_KEYS_SQL})
SELECT record${count} FROM rm_recognition_results
WHERE patient_key = ANY(ARRAY(SELECT key FROM keys)) AND recorded_at <= $2::timestamptz
  AND (superseded_at IS NULL OR superseded_at > $2::timestamptz)`;

/** $1: any key of the patient, $2: the moment → `record`: the version of each of the patient's
 * results current then (every key linked to it followed, as `samePatientKeys` does), and `rules`:
 * how many rule facts the read model holds now. */
export const ELIGIBILITY_SQL: NamedStatement = {
  name: 'yl_recognition_eligibility',
  text: resultsOfPatient(', (SELECT count(*) FROM rm_recognition_rules)::text AS rules'),
};

/** ELIGIBILITY_SQL without the rules' count, for a moment the rules last looked at are trusted
 * for (`rulesRecheckMs`). */
export const ELIGIBILITY_TRUSTED_RULES_SQL: NamedStatement = {
  name: 'yl_recognition_eligibility_trusted',
  text: resultsOfPatient(''),
};

export interface UnmatchedCode {
  readonly performer: string;
  readonly kind: 'lab' | 'imaging';
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
  /** How many result lines carried it. */
  readonly results: number;
  readonly lastSeen: string;
}

export class RecognitionEligibility implements EligibilityService {
  private book = new RulesBook();
  private loadedCount = -1;
  private readonly folded = new Map<string, RulesAt>();

  private lastCheck: { day: string; at: number } | undefined;
  private readonly rulesRecheckMs: number;

  /** `rulesRecheckMs`: for a caller asking hundreds of times a second about "now" (the CDS
   * Hooks alert), how long the rules last looked at are trusted for moments that close together
   * on the same day before the table is asked again; 0 (the default) asks on every call. */
  constructor(
    private readonly sql: SqlExecutor,
    options: { readonly rulesRecheckMs?: number } = {},
  ) {
    this.rulesRecheckMs = options.rulesRecheckMs ?? 0;
  }

  /** Reloads the rule facts when the table changed (a count is one index-only scan). */
  private async refresh(): Promise<void> {
    const { rows } = await this.sql.query<{ n: string }>({ ...RULES_COUNT });
    await this.reload(Number(rows[0]?.n ?? 0));
  }

  /** Reloads the rule facts unless `n` of them are what is loaded. */
  private async reload(n: number): Promise<void> {
    if (n === this.loadedCount) return;
    const facts = await this.sql.query<{ type: string; data: unknown; recorded_at: Date }>(
      'SELECT type, data, recorded_at FROM rm_recognition_rules ORDER BY recorded_at, commit_pos, prepare_pos',
    );
    const book = new RulesBook();
    book.add(
      facts.rows.map((r): RuleFact => ({
        type: r.type,
        data: r.data,
        recordedAt: new Date(r.recorded_at).toISOString(),
      })),
    );
    this.book = book;
    this.loadedCount = n;
    this.folded.clear();
  }

  /** Whether the rules last looked at are trusted for `moment` (`rulesRecheckMs`). */
  private trusted(moment: Date, day: string): boolean {
    const recent = this.lastCheck;
    return (
      recent !== undefined &&
      recent.day === day &&
      Math.abs(moment.getTime() - recent.at) < this.rulesRecheckMs
    );
  }

  /** The rules as known at `moment`, on its day; folded once per (facts known then, day). */
  async rulesAt(moment: Date): Promise<RulesAt> {
    const day = shanghaiDay(moment);
    if (!this.trusted(moment, day)) {
      await this.refresh();
      this.lastCheck = { day, at: moment.getTime() };
    }
    return this.folding(moment, day);
  }

  private folding(moment: Date, day: string): RulesAt {
    const key = `${this.book.countUpTo(moment.toISOString())}|${day}`;
    let rules = this.folded.get(key);
    if (!rules) {
      rules = this.book.at(moment, day);
      if (this.folded.size > 64) this.folded.clear();
      this.folded.set(key, rules);
    }
    return rules;
  }

  async eligibility(query: EligibilityQuery): Promise<EligibilityAnswer> {
    const day = shanghaiDay(query.asOf);
    const trusted = this.trusted(query.asOf, day);
    // a fresh config each time: pg writes the values into the one it is given
    const { rows } = await this.sql.query<{ record: ResultRecord; rules?: string }>(
      { ...(trusted ? ELIGIBILITY_TRUSTED_RULES_SQL : ELIGIBILITY_SQL) },
      [query.patientKey, query.asOf.toISOString()],
    );
    let results: ResultEligibility[] = [];
    if (rows.length > 0) {
      // no result, nothing to judge: the rules are looked at with the next one
      if (!trusted) {
        await this.reload(Number(rows[0]!.rules ?? 0));
        this.lastCheck = { day, at: query.asOf.getTime() };
      }
      const rules = this.folding(query.asOf, day);
      results = rows
        .map((r) => judgeResult(r.record, query.requester, rules))
        .sort(
          (a, b) => b.effective.localeCompare(a.effective) || a.resultStream.localeCompare(b.resultStream),
        );
    }
    return {
      patientKey: query.patientKey,
      requester: query.requester,
      asOf: query.asOf.toISOString(),
      results,
    };
  }

  /** Codes results carried that no catalogue item of the performer's scopes (nor its code map)
   * names — what an operator should map. */
  async unmatchedCodes(performer?: string): Promise<UnmatchedCode[]> {
    const rules = await this.rulesAt(new Date());
    const { rows } = await this.sql.query<{
      performer: string;
      kind: 'lab' | 'imaging';
      system: string;
      code: string;
      display: string | null;
      results: number;
      last_seen: Date;
    }>(
      `SELECT performer, kind, system, code, display, results, last_seen FROM rm_recognition_codes
       WHERE $1::text IS NULL OR performer = $1 ORDER BY performer, kind, results DESC, system, code`,
      [performer ?? null],
    );
    return rows
      .filter((r) => {
        const catalogues = rules.scopesOf(r.performer).flatMap((s) => rules.catalogues.get(s.code) ?? []);
        const coding = { ...(r.system ? { system: r.system } : {}), code: r.code };
        return !codingMatchesAny(coding, r.kind, catalogues, rules.codeMaps.get(r.performer));
      })
      .map((r) => ({
        performer: r.performer,
        kind: r.kind,
        ...(r.system ? { system: r.system } : {}),
        code: r.code,
        ...(r.display ? { display: r.display } : {}),
        results: r.results,
        lastSeen: new Date(r.last_seen).toISOString(),
      }));
  }
}
