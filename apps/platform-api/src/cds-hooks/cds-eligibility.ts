import { RecognitionEligibility, type RulesAt, shanghaiDay } from '@yilian/recognition';

/** How long the alert trusts the rules it last folded before it asks the table again. */
export const RULES_RECHECK_MS = 1000;

/**
 * The eligibility query as the ordering-time alert asks it: always for now, hundreds of times a
 * second. The rules (catalogues, quality statuses, scopes) change a few times a year, so instead
 * of counting rm_recognition_rules on every call (twice per answer: once to match the orders,
 * once inside `eligibility`) the folded rules of the day are reused for up to a second. The
 * judging itself is RecognitionEligibility's, unchanged.
 */
export class CdsRecognitionEligibility extends RecognitionEligibility {
  private recent: { day: string; at: number; rules: RulesAt } | undefined;

  override async rulesAt(moment: Date): Promise<RulesAt> {
    const day = shanghaiDay(moment);
    const recent = this.recent;
    if (recent && recent.day === day && Math.abs(moment.getTime() - recent.at) < RULES_RECHECK_MS)
      return recent.rules;
    const rules = await super.rulesAt(moment);
    this.recent = { day, at: moment.getTime(), rules };
    return rules;
  }
}
