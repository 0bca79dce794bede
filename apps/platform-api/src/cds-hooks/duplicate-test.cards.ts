/**
 * The duplicate-test card (重复检查检验提醒): for each ordered catalogue item the patient already
 * has a recognisable result for — judged per item (its own window, scope, quality, direction)
 * by RecognitionEligibility — one card naming the result, where and when it was done, the scope
 * mark, the last valid day and a link to it, suggesting to delete the draft order, with the
 * decline reasons as overrideReasons. Nothing for an item only expired, refused or outside the
 * catalogue results cover. Pure: the caller gives the eligibility answer and the clock's uuids.
 */
import type { ItemEligibility, ResultEligibility } from '@yilian/recognition';
import { shanghaiDay } from '@yilian/recognition';
import type { CdsCard, CdsCoding } from './cds-hooks.types';
import type { DraftOrder } from './draft-orders';

export const CARD_SOURCE_LABEL = 'Yilian 检查检验结果互认';
const SUMMARY_MAX = 139;

export interface CardInputs {
  /** Each order → the catalogue item codes it names (draft-orders.ts). */
  readonly ordered: ReadonlyMap<DraftOrder, readonly string[]>;
  /** The eligibility answer's results the client may see. */
  readonly results: readonly ResultEligibility[];
  /** platform-api's FHIR base, e.g. `https://hub.example/fhir`. */
  readonly fhirBase: string;
  readonly overrideReasons: readonly CdsCoding[];
  /** Institution code → its name, where the hub knows it. */
  readonly institutionName?: (code: string) => string | undefined;
  readonly uuid: () => string;
}

export interface DuplicateFinding {
  readonly order: DraftOrder;
  readonly result: ResultEligibility;
  readonly item: ItemEligibility;
}

/** Per (order, item): the recognisable result valid longest (then the latest done). */
export function duplicateFindings(
  ordered: ReadonlyMap<DraftOrder, readonly string[]>,
  results: readonly ResultEligibility[],
): DuplicateFinding[] {
  const byItem = new Map<string, { result: ResultEligibility; item: ItemEligibility }[]>();
  for (const result of results)
    for (const item of result.items) {
      if (item.status !== 'recognisable' || !item.scope || !item.validUntil) continue;
      const list = byItem.get(item.item.catalogueItemCode) ?? [];
      list.push({ result, item });
      byItem.set(item.item.catalogueItemCode, list);
    }
  const findings: DuplicateFinding[] = [];
  for (const [order, codes] of ordered)
    for (const code of codes) {
      const best = (byItem.get(code) ?? []).sort(
        (a, b) =>
          b.item.validUntil!.localeCompare(a.item.validUntil!) ||
          b.result.effective.localeCompare(a.result.effective),
      )[0];
      if (best) findings.push({ order, ...best });
    }
  return findings;
}

/** Markdown text: the characters GFM would read as markup are escaped. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]()#<>!|~]/g, (c) => `\\${c}`);
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function duplicateTestCard(f: DuplicateFinding, inputs: CardInputs): CdsCard {
  const { result, item, order } = f;
  const mark = item.scope!.mark;
  const performer = inputs.institutionName?.(result.performer) ?? result.performer;
  const day = shanghaiDay(result.effective);
  const ref = `${result.resourceType}/${result.resourceId}`;
  const url = `${inputs.fhirBase}/${ref}`;
  const kind = result.kind === 'imaging' ? '检查' : '检验';
  const summary = clip(
    `已有可互认${kind}结果：${clip(item.item.name, 30)}（${mark}，${clip(performer, 30)} ${day}，有效至 ${item.validUntil}）`,
    SUMMARY_MAX,
  );
  const detail = [
    `**${md(item.item.name)}**（互认项目 ${md(item.item.catalogueItemCode)}）已有可互认的${kind}结果，可不重复${kind}：`,
    '',
    `- 结果：[${md(ref)}](${url})`,
    `- ${kind}机构：${md(performer)}（${md(result.performer)}）`,
    `- 日期：${day}`,
    `- 互认标识：${md(mark)}（${md(item.scope!.code)}）`,
    `- 有效至：${item.validUntil}（含当日）`,
    `- 本次医嘱：${md(order.text ?? order.reference)}（${md(order.reference)}）`,
    '',
    '如确需重新检查检验，请选择不予互认的理由（国卫医发〔2022〕6号）。',
  ].join('\n');
  return {
    uuid: inputs.uuid(),
    summary,
    detail,
    indicator: 'warning',
    source: { label: CARD_SOURCE_LABEL },
    suggestions: [
      {
        label: `撤销本次医嘱，采用已有结果（${clip(mark, 16)}）`,
        uuid: inputs.uuid(),
        isRecommended: true,
        actions: [
          {
            type: 'delete',
            description: `撤销 ${order.reference}：${clip(item.item.name, 40)} 已有 ${result.performer} ${day} 的可互认结果 ${ref}`,
            resourceId: order.reference,
          },
        ],
      },
    ],
    selectionBehavior: 'at-most-one',
    ...(inputs.overrideReasons.length > 0 ? { overrideReasons: inputs.overrideReasons } : {}),
    links: [{ label: `查看结果 ${ref}`, url, type: 'absolute' }],
  };
}

export function duplicateTestCards(inputs: CardInputs): { cards: CdsCard[]; findings: DuplicateFinding[] } {
  const findings = duplicateFindings(inputs.ordered, inputs.results);
  return { cards: findings.map((f) => duplicateTestCard(f, inputs)), findings };
}
