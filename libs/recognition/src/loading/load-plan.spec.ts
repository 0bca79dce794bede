import type { CatalogueItem, RecognitionCatalogueItemsPublishedV1 } from '@yilian/contracts';
import {
  planCataloguePublication,
  planCodeMap,
  planQualityStatuses,
  planScope,
  planWithdrawal,
  type History,
} from './load-plan';

const K: CatalogueItem = { code: 'K', name: '钾', kind: 'lab', validityDays: 7, loinc: ['2823-3'] };
const GLU: CatalogueItem = { code: 'GLU', name: '葡萄糖', kind: 'lab', validityDays: 30, loinc: ['2345-7'] };
const publication = (
  items: CatalogueItem[],
  effectiveFrom = '2024-01-01',
): RecognitionCatalogueItemsPublishedV1 => ({
  scope: 'province:42',
  effectiveFrom,
  source: '鄂卫通〔2023〕56号',
  items,
});
const published = (data: RecognitionCatalogueItemsPublishedV1) => ({
  type: 'RecognitionCatalogueItemsPublished',
  data,
});

describe('planCataloguePublication', () => {
  it('publishes everything into an empty catalogue', () => {
    const plan = planCataloguePublication([], publication([K, GLU]));
    expect(plan).toEqual({
      events: [published(publication([K, GLU]))],
      published: ['K', 'GLU'],
      amended: [],
      unchanged: [],
    });
  });

  it('the same file again: nothing', () => {
    const history: History = [published(publication([K, GLU]))];
    expect(planCataloguePublication(history, publication([GLU, K]))).toEqual({
      events: [],
      published: [],
      amended: [],
      unchanged: ['GLU', 'K'],
    });
  });

  it('an amended row alone; the same items from another day are an amendment too', () => {
    const history: History = [published(publication([K, GLU]))];
    const shorter = { ...K, validityDays: 5 };
    expect(planCataloguePublication(history, publication([shorter, GLU]))).toEqual({
      events: [published(publication([shorter]))],
      published: [],
      amended: ['K'],
      unchanged: ['GLU'],
    });
    expect(planCataloguePublication(history, publication([K], '2025-01-01')).amended).toEqual(['K']);
  });

  it('an item withdrawn from the same day is published again', () => {
    const history: History = [
      published(publication([K])),
      {
        type: 'RecognitionCatalogueItemsWithdrawn',
        data: { scope: 'province:42', effectiveFrom: '2024-01-01', source: 'x', itemCodes: ['K'] },
      },
    ];
    expect(planCataloguePublication(history, publication([K])).amended).toEqual(['K']);
  });
});

describe('planWithdrawal', () => {
  const withdrawal = (itemCodes: string[]) => ({
    scope: 'province:42',
    effectiveFrom: '2025-01-01',
    source: '鄂卫通〔2024〕9号',
    itemCodes,
  });

  it('withdraws once, refuses codes never published (naming their rows) and records nothing then', () => {
    const history: History = [published(publication([K, GLU]))];
    expect(planWithdrawal(history, withdrawal(['K'])).withdrawn).toEqual(['K']);
    const unknown = planWithdrawal(history, withdrawal(['K', 'LI']), [2, 3]);
    expect(unknown).toEqual({
      events: [],
      withdrawn: [],
      alreadyWithdrawn: [],
      problems: [{ row: 3, column: 'code', message: 'item "LI" is not in the catalogue of province:42' }],
    });
    const done: History = [
      ...history,
      { type: 'RecognitionCatalogueItemsWithdrawn', data: withdrawal(['K']) },
    ];
    expect(planWithdrawal(done, withdrawal(['K']))).toEqual({
      events: [],
      withdrawn: [],
      alreadyWithdrawn: ['K'],
      problems: [],
    });
  });
});

describe('planScope', () => {
  const scope = {
    scope: 'province:42',
    kind: 'province' as const,
    name: '湖北省',
    mark: '鄂HR',
    higherAcceptsLower: false,
    tight: false,
    effectiveFrom: '2024-01-01',
    members: [],
  };
  it('records a definition unless the same one is recorded for the same day', () => {
    expect(planScope([], scope).events).toHaveLength(1);
    expect(planScope([{ type: 'RecognitionScopeDefined', data: scope }], scope).events).toHaveLength(0);
    expect(
      planScope([{ type: 'RecognitionScopeDefined', data: scope }], { ...scope, tight: true }).events,
    ).toHaveLength(1);
  });
});

describe('planQualityStatuses', () => {
  const status = {
    statusId: 'EQA-1',
    institution: 'DEMOS1',
    groups: ['us'],
    scheme: 'imaging-qc',
    validFrom: '2024-01-01',
    validUntil: '2024-12-31',
  };
  const revocation = {
    statusId: 'EQA-1',
    institution: 'DEMOS1',
    revokedFrom: '2024-06-01',
    reason: '复核未通过',
  };

  it('records and revokes once', () => {
    const first = planQualityStatuses([], [status], [revocation]);
    expect(first.events.map((e) => e.type)).toEqual(['QualityStatusRecorded', 'QualityStatusRevoked']);
    expect(planQualityStatuses(first.events, [status], [revocation])).toEqual({
      events: [],
      recorded: 0,
      revoked: 0,
      unchanged: 1,
    });
  });

  it('a changed status is recorded again, and revoked again when its row says so (a new record replaces the revocation)', () => {
    const history: History = planQualityStatuses([], [status], [revocation]).events;
    const longer = { ...status, validUntil: '2025-12-31' };
    expect(planQualityStatuses(history, [longer], [revocation]).events.map((e) => e.type)).toEqual([
      'QualityStatusRecorded',
      'QualityStatusRevoked',
    ]);
    expect(planQualityStatuses(history, [status], []).events).toEqual([]);
  });
});

describe('planCodeMap', () => {
  it('keeps only the mappings that change the current map', () => {
    const data = {
      institution: 'DEMOS1',
      mappings: [{ code: 'CT0101', itemCode: 'CT-CHEST' }, { code: 'OLD' }],
    };
    const history: History = [
      {
        type: 'RecognitionCodesMapped',
        data: {
          institution: 'DEMOS1',
          mappings: [
            { code: 'CT0101', itemCode: 'CT-CHEST' },
            { code: 'OLD', itemCode: 'K' },
          ],
        },
      },
    ];
    expect(planCodeMap(history, data)).toEqual({
      events: [
        { type: 'RecognitionCodesMapped', data: { institution: 'DEMOS1', mappings: [{ code: 'OLD' }] } },
      ],
      mapped: 0,
      unmapped: 1,
      unchanged: 1,
    });
    expect(planCodeMap([...history, { type: 'RecognitionCodesMapped', data }], data).events).toEqual([]);
  });
});
