import type { RecognitionEligibility, ResultCoding } from '@yilian/recognition';
import { recognisableForOrder } from '@yilian/recognition';
import type {
  DuplicateTestCheck,
  DuplicateTestQuery,
  RecognisableResult,
} from '../orders/duplicate-test.port';

/** The order intake's duplicate-test check answered by recognition: each recognisable result
 * for an item the order names (OBR-4), with its mark and last valid day. */
export function recognitionDuplicateTestCheck(recognition: RecognitionEligibility): DuplicateTestCheck {
  return {
    async recognisable(query: DuplicateTestQuery): Promise<readonly RecognisableResult[]> {
      const codings: ResultCoding[] = (query.code.coding ?? []).flatMap((c) =>
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
      const found = await recognisableForOrder(recognition, { ...query, order: { codings } });
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
