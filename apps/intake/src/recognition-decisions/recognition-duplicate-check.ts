import type { RecognitionEligibility, ResultCoding } from '@yilian/recognition';
import { recognisableForOrder } from '@yilian/recognition';
import type {
  DuplicateTestCheck,
  DuplicateTestQuery,
  RecognisableResult,
} from '../orders/duplicate-test.port';

/** The codings that carry a code, as recognition matches them. */
function resultCodings(codings: readonly fhir4.Coding[] | undefined): ResultCoding[] {
  return (codings ?? []).flatMap((c) =>
    c.code
      ? [
          {
            ...(c.system ? { system: c.system } : {}),
            code: c.code,
            ...(c.display ? { display: c.display } : {}),
          },
        ]
      : [],
  );
}

/** The order intake's duplicate-test check answered by recognition: each recognisable result
 * for an item the order names (OBR-4; for an imaging order also its modality and body site),
 * with its mark and last valid day. */
export function recognitionDuplicateTestCheck(recognition: RecognitionEligibility): DuplicateTestCheck {
  return {
    async recognisable(query: DuplicateTestQuery): Promise<readonly RecognisableResult[]> {
      const found = await recognisableForOrder(recognition, {
        ...query,
        order: {
          codings: resultCodings(query.code.coding),
          ...(query.modalities?.length ? { modalities: query.modalities } : {}),
          ...(query.bodySites?.length ? { bodySites: resultCodings(query.bodySites) } : {}),
        },
      });
      return found.map(({ result, item }) => ({
        resourceType: result.resourceType,
        resourceId: result.resourceId,
        performer: result.performer,
        effective: result.effective,
        item: item.item.name,
        ...(item.validUntil ? { validUntil: item.validUntil } : {}),
        ...(item.scope ? { mark: item.scope.mark } : {}),
      }));
    },
  };
}
