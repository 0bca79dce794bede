/**
 * What an order names in recognition's terms, and what the patient already has for it: the
 * duplicate-test check at ordering time (CDS Hooks cards on platform-api, the HL7 v2 order
 * response's flags on the intake).
 */
import type { EligibilityService, ResultEligibility } from './eligibility.types';
import { matchOrderItems, type OrderedCodes } from './matching';
import type { RulesAt } from './rules-book';

/** The catalogue item codes an order names in the scopes of the ordering institution (empty:
 * outside every catalogue). */
export function orderedItemCodes(order: OrderedCodes, requester: string, rules: RulesAt): string[] {
  const codeMap = rules.codeMaps.get(requester);
  const items = new Set<string>();
  for (const scope of rules.scopesOf(requester)) {
    const catalogue = rules.catalogues.get(scope.code);
    if (catalogue) for (const code of matchOrderItems(order, catalogue, codeMap)) items.add(code);
  }
  return [...items];
}

export interface RecognisableForOrder {
  readonly result: ResultEligibility;
  /** The ordered item the result covers, recognisable. */
  readonly item: ResultEligibility['items'][number];
}

/** The patient's results recognisable now for an item the order names — only status
 * recognisable at item level: no expired result, no item outside the catalogue, no refused
 * direction. Newest first. */
export async function recognisableForOrder(
  recognition: EligibilityService & { rulesAt(moment: Date): Promise<RulesAt> },
  query: {
    readonly patientKey: string;
    readonly requester: string;
    readonly asOf: Date;
    readonly order: OrderedCodes;
  },
): Promise<RecognisableForOrder[]> {
  const wanted = new Set(
    orderedItemCodes(query.order, query.requester, await recognition.rulesAt(query.asOf)),
  );
  if (wanted.size === 0) return [];
  const answer = await recognition.eligibility(query);
  return answer.results.flatMap((result) =>
    result.items
      .filter((i) => i.status === 'recognisable' && wanted.has(i.item.catalogueItemCode))
      .map((item) => ({ result, item })),
  );
}
