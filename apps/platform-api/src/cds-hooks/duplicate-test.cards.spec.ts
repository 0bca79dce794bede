import type { fhir4 } from '@yilian/contracts';
import { RulesBook, type ResultEligibility } from '@yilian/recognition';
import type { CdsHookRequest } from './cds-hooks.types';
import { DICOM_SYSTEM, draftOrdersOf, orderedItems } from './draft-orders';
import { duplicateTestCards } from './duplicate-test.cards';
import { DECLINE_REASONS } from './override-reasons';

const T = '2026-01-01T00:00:00.000Z';
const book = new RulesBook();
book.add([
  {
    type: 'RecognitionScopeDefined',
    recordedAt: T,
    data: {
      scope: 'province:42',
      kind: 'province',
      name: '湖北省',
      mark: '鄂HR',
      higherAcceptsLower: false,
      tight: false,
      effectiveFrom: '2025-01-01',
      members: [
        { institution: 'H1', level: 'tertiary' },
        { institution: 'S1', level: 'secondary' },
      ],
    },
  },
  {
    type: 'RecognitionCatalogueItemsPublished',
    recordedAt: T,
    data: {
      scope: 'province:42',
      effectiveFrom: '2025-01-01',
      source: '鄂卫通〔2023〕56号',
      items: [
        { code: 'HB-GLU', name: '葡萄糖', kind: 'lab', validityDays: 30, loinc: ['2345-7'] },
        { code: 'HB-K', name: '钾', kind: 'lab', validityDays: 7, loinc: ['2823-3'] },
        {
          code: 'HB-CT-CHEST',
          name: '胸部CT',
          kind: 'imaging',
          validityDays: 30,
          modalities: ['CT'],
          bodySites: ['胸部', '51185008'],
        },
      ],
    },
  },
  {
    type: 'RecognitionCodesMapped',
    recordedAt: T,
    data: { institution: 'S1', mappings: [{ system: 'urn:s1:his', code: 'XT', itemCode: 'HB-GLU' }] },
  },
]);
const rules = book.at(new Date('2026-03-10T02:00:00Z'), '2026-03-10');

function sr(
  id: string,
  code: fhir4.CodeableConcept,
  extra: Partial<fhir4.ServiceRequest> = {},
): fhir4.BundleEntry {
  return {
    resource: {
      resourceType: 'ServiceRequest',
      id,
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/pk-0000001' },
      code,
      ...extra,
    },
  };
}

function hook(entries: fhir4.BundleEntry[], selections?: string[]): CdsHookRequest {
  return {
    hook: selections ? 'order-select' : 'order-sign',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: {
      userId: 'Practitioner/d1',
      patientId: 'pk-0000001',
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: entries },
      ...(selections ? { selections } : {}),
    },
  };
}

const item = (
  code: string,
  name: string,
  status: 'recognisable' | 'not-recognisable',
  validUntil?: string,
) => ({
  item: { catalogueItemCode: code, name, kind: 'lab' as const, validityDays: 30 },
  status,
  ...(status === 'recognisable' ? { scope: { code: 'province:42', mark: '鄂HR' }, validUntil } : {}),
  reasons: status === 'recognisable' ? [] : (['window-passed'] as const),
  observationIds: [],
});

function result(id: string, effective: string, items: ResultEligibility['items']): ResultEligibility {
  const recognisable = items.find((i) => i.status === 'recognisable');
  return {
    resultStream: `labreport-H1-${id}`,
    resourceType: 'DiagnosticReport',
    resourceId: id,
    kind: 'lab',
    performer: 'H1',
    version: 1,
    resultStatus: 'final',
    effective,
    status: recognisable ? 'recognisable' : 'not-recognisable',
    ...(recognisable ? { scope: recognisable.scope!, validUntil: recognisable.validUntil! } : {}),
    reasons: recognisable ? [] : ['window-passed'],
    items,
  };
}

describe('draft orders → catalogue items', () => {
  it('LOINC, the orderer’s own code through its code map, imaging by modality + body site; order-select looks only at the selections', () => {
    const orders = draftOrdersOf(
      hook(
        [
          sr('a', { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: '血糖' }),
          sr('b', { coding: [{ system: 'urn:s1:his', code: 'XT' }] }),
          sr('c', { coding: [{ system: DICOM_SYSTEM, code: 'CT' }] }, { bodySite: [{ text: '胸部' }] }),
          sr('d', { coding: [{ system: 'http://loinc.org', code: '58410-2' }] }),
          sr('e', { coding: [{ system: DICOM_SYSTEM, code: 'CT' }] }, { bodySite: [{ text: '头颅' }] }),
          sr('f', { coding: [{ system: 'http://loinc.org', code: '2823-3' }] }),
        ],
        ['ServiceRequest/a', 'ServiceRequest/b', 'ServiceRequest/c', 'ServiceRequest/d', 'ServiceRequest/e'],
      ),
    );
    const items = orderedItems(orders, 'S1', rules);
    expect([...items].map(([o, codes]) => [o.reference, codes])).toEqual([
      ['ServiceRequest/a', ['HB-GLU']],
      ['ServiceRequest/b', ['HB-GLU']],
      ['ServiceRequest/c', ['HB-CT-CHEST']],
      ['ServiceRequest/d', []],
      ['ServiceRequest/e', []],
    ]);
    // another institution's code map is not the orderer's
    expect(orderedItems(orders, 'H1', rules).get(orders[1]!)).toEqual([]);
    // an institution in no scope: no catalogue at all
    expect(orderedItems(orders, 'Z9', rules).get(orders[0]!)).toEqual([]);
  });
});

describe('duplicate-test cards', () => {
  const orders = draftOrdersOf(
    hook([
      sr('glu', { coding: [{ system: 'http://loinc.org', code: '2345-7' }], text: '血糖' }),
      sr('k', { coding: [{ system: 'http://loinc.org', code: '2823-3' }] }),
      sr('cbc', { coding: [{ system: 'http://loinc.org', code: '58410-2' }] }),
    ]),
  );
  let n = 0;
  const build = (results: ResultEligibility[]) =>
    duplicateTestCards({
      ordered: orderedItems(orders, 'S1', rules),
      results,
      fhirBase: 'https://hub.example.cn/fhir',
      overrideReasons: DECLINE_REASONS,
      institutionName: (c) => (c === 'H1' ? '武汉市第一医院' : undefined),
      uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    }).cards;

  it('one card per ordered item with a recognisable result, the longest valid one; none for an expired item or an item outside the catalogue', () => {
    const cards = build([
      result('old', '2026-02-20T01:00:00Z', [
        item('HB-GLU', '葡萄糖', 'recognisable', '2026-03-21'),
        item('HB-K', '钾', 'not-recognisable'),
      ]),
      result('new', '2026-03-05T01:00:00Z', [item('HB-GLU', '葡萄糖', 'recognisable', '2026-04-03')]),
    ]);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.summary).toBe(
      '已有可互认检验结果：葡萄糖（鄂HR，武汉市第一医院 2026-03-05，有效至 2026-04-03）',
    );
    expect([...card.summary].length).toBeLessThan(140);
    expect(card.indicator).toBe('warning');
    expect(card.source).toEqual({ label: 'Yilian 检查检验结果互认' });
    expect(card.detail).toContain('[DiagnosticReport/new](https://hub.example.cn/fhir/DiagnosticReport/new)');
    expect(card.detail).toContain('有效至：2026-04-03');
    expect(card.detail).toContain('互认标识：鄂HR（province:42）');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions).toEqual([
      {
        label: '撤销本次医嘱，采用已有结果（鄂HR）',
        uuid: expect.stringMatching(/^00000000-/),
        isRecommended: true,
        actions: [
          {
            type: 'delete',
            description: expect.stringContaining('ServiceRequest/glu'),
            resourceId: 'ServiceRequest/glu',
          },
        ],
      },
    ]);
    expect(card.links).toEqual([
      {
        label: '查看结果 DiagnosticReport/new',
        url: 'https://hub.example.cn/fhir/DiagnosticReport/new',
        type: 'absolute',
      },
    ]);
    expect(card.uuid).not.toBe(card.suggestions![0]!.uuid);
  });

  it('no card when every result of the item is not recognisable (window passed, refused direction, quality …)', () => {
    expect(
      build([
        result('x', '2026-01-01T01:00:00Z', [
          item('HB-GLU', '葡萄糖', 'not-recognisable'),
          item('HB-K', '钾', 'not-recognisable'),
        ]),
      ]),
    ).toEqual([]);
    expect(build([])).toEqual([]);
  });

  it('overrideReasons are the ValueSet’s Codings, national list first, each with a display', () => {
    const [card] = build([
      result('new', '2026-03-05T01:00:00Z', [item('HB-GLU', '葡萄糖', 'recognisable', '2026-04-03')]),
    ]);
    expect(card!.overrideReasons).toBe(DECLINE_REASONS);
    expect(DECLINE_REASONS.map((c) => c.code)).toEqual([
      'illness-changed',
      'value-changes-fast',
      'major-intervention',
      'emergency',
      'forensic-assessment',
      'other-need',
      'patient-request',
      'eqa-failed',
      'too-old',
      'physician-judgement',
    ]);
    for (const c of DECLINE_REASONS) {
      expect(c.system).toBe('https://fhir.yilian.cn/CodeSystem/recognition-decline-reason');
      expect(c.display?.length).toBeGreaterThan(0);
    }
  });
});
