/**
 * Every reason a result is or is not recognisable, each edge included (issue 11). Pure: rule
 * facts folded by the RulesBook, results as records, judged by judgeResult. The same rules
 * over the real projection and PostgreSQL are in recognition-as-of.int.spec.ts.
 */
import type { CatalogueItem, InstitutionLevel } from '@yilian/contracts';
import { addDays, shanghaiDay } from './days';
import { judgeResult, lastValidDay } from './eligibility.rules';
import type { ResultRecord } from './result-record';
import { RulesBook, type RuleFact } from './rules-book';

const K: CatalogueItem = {
  code: 'HB-K',
  name: '钾',
  kind: 'lab',
  validityDays: 7,
  group: 'biochem',
  loinc: ['2823-3'],
  priceYuan: 5,
};
const GLU: CatalogueItem = {
  code: 'HB-GLU',
  name: '葡萄糖',
  kind: 'lab',
  validityDays: 30,
  group: 'biochem',
  loinc: ['2345-7'],
  priceYuan: 6,
};
const CT_CHEST: CatalogueItem = {
  code: 'HB-CT-CHEST',
  name: '胸部CT平扫',
  kind: 'imaging',
  validityDays: 30,
  priceYuan: 260,
  modalities: ['CT'],
  bodySites: ['51185008', 'chest'],
  group: 'ct',
};

const T0 = '2026-01-01T00:00:00.000Z';
let clock = Date.parse(T0);
/** Facts recorded one second apart, in order. */
function fact(type: string, data: unknown, recordedAt?: string): RuleFact {
  clock += 1000;
  return { type, data, recordedAt: recordedAt ?? new Date(clock).toISOString() };
}

function province(
  members: Record<string, InstitutionLevel>,
  opts: { higherAcceptsLower?: boolean } = {},
): RuleFact {
  return fact('RecognitionScopeDefined', {
    scope: 'province:42',
    kind: 'province',
    name: '湖北省',
    mark: '鄂HR',
    higherAcceptsLower: opts.higherAcceptsLower ?? false,
    tight: false,
    effectiveFrom: '2025-01-01',
    members: Object.entries(members).map(([institution, level]) => ({ institution, level })),
  });
}

function catalogue(
  scope: string,
  items: CatalogueItem[],
  effectiveFrom = '2025-01-01',
  recordedAt?: string,
): RuleFact {
  return fact(
    'RecognitionCatalogueItemsPublished',
    { scope, effectiveFrom, source: '鄂卫通〔2023〕56号', items },
    recordedAt,
  );
}

function quality(
  institution: string,
  validFrom = '2025-01-01',
  validUntil = '2027-12-31',
  statusId = `eqa-${institution}`,
): RuleFact {
  return fact('QualityStatusRecorded', {
    statusId,
    institution,
    groups: ['biochem', 'ct'],
    scheme: '湖北省临检中心室间质评',
    validFrom,
    validUntil,
  });
}

/** A tertiary (H1), a secondary (S1) and a primary (P1) institution, all in 鄂HR, with EQA. */
function baseFacts(): RuleFact[] {
  return [
    province({ H1: 'tertiary', S1: 'secondary', P1: 'primary' }),
    catalogue('province:42', [K, GLU, CT_CHEST]),
    quality('H1'),
    quality('S1'),
    quality('P1'),
  ];
}

function book(facts: RuleFact[]): RulesBook {
  const b = new RulesBook();
  b.add(facts);
  return b;
}

function lab(opts: {
  performer: string;
  effective: string;
  status?: string;
  loinc?: string[];
  version?: number;
  local?: string;
}): ResultRecord {
  const loinc = opts.loinc ?? ['2823-3', '2345-7'];
  return {
    stream: `labreport-${opts.performer}-A1`,
    version: opts.version ?? 1,
    patientKey: 'pk1',
    performer: opts.performer,
    kind: 'lab',
    resourceType: 'DiagnosticReport',
    resourceId: `lab-${opts.performer}`,
    status: opts.status ?? 'final',
    effective: opts.effective,
    recordedAt: opts.effective,
    lines: [
      { codings: [{ system: 'urn:local', code: opts.local ?? 'BIOCHEM' }], name: '生化' },
      ...loinc.map((c, i) => ({
        codings: [{ system: 'http://loinc.org', code: c }],
        observationId: `obs-${i}`,
        value: '4.1',
      })),
    ],
  };
}

function ct(
  performer: string,
  effective: string,
  site = { system: 'http://snomed.info/sct', code: '51185008', display: 'Chest' },
): ResultRecord {
  return {
    stream: `imaging-${performer}-CT1`,
    version: 1,
    patientKey: 'pk1',
    performer,
    kind: 'imaging',
    resourceType: 'ImagingStudy',
    resourceId: `img-${performer}`,
    status: 'available',
    effective,
    recordedAt: effective,
    lines: [{ codings: [] }],
    imaging: { modalities: ['CT'], bodySites: [site], procedureCodes: [] },
  };
}

/** Asia/Shanghai local time → instant. */
const local = (dayTime: string) => new Date(`${dayTime}+08:00`);

describe('days are Asia/Shanghai calendar days', () => {
  it('a result at 23:30 local time is of that day, not of the UTC day before or after', () => {
    expect(shanghaiDay(local('2026-03-01T23:30:00'))).toBe('2026-03-01');
    expect(shanghaiDay('2026-03-01T15:30:00Z')).toBe('2026-03-01');
    expect(shanghaiDay('2026-03-01T16:00:00Z')).toBe('2026-03-02');
    expect(lastValidDay('2026-03-01', 7)).toBe('2026-03-07');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });
});

describe('judgeResult', () => {
  const rules = (facts: RuleFact[], at: Date) => book(facts).at(at, shanghaiDay(at));

  it('same level institutions recognise each other: scope mark and last valid day per item', () => {
    const facts = [
      ...baseFacts(),
      province({ H1: 'tertiary', H2: 'tertiary', S1: 'secondary', P1: 'primary' }),
      quality('H2'),
    ];
    const r = judgeResult(
      lab({ performer: 'H2', effective: local('2026-03-01T10:00:00').toISOString() }),
      'H1',
      rules(facts, local('2026-03-02T09:00:00')),
    );
    expect(r.status).toBe('recognisable');
    expect(r.scope).toEqual({ code: 'province:42', mark: '鄂HR' });
    expect(r.items.map((i) => [i.item.catalogueItemCode, i.status, i.validUntil])).toEqual([
      ['HB-GLU', 'recognisable', '2026-03-30'],
      ['HB-K', 'recognisable', '2026-03-07'],
    ]);
    expect(r.items.find((i) => i.item.catalogueItemCode === 'HB-K')!.observationIds).toEqual(['obs-0']);
    expect(r.values?.map((v) => v.codes)).toEqual([['http://loinc.org|2823-3'], ['http://loinc.org|2345-7']]);
  });

  it('a result at 23:30 local time: recognisable on its last valid day, not on the day after', () => {
    const result = lab({
      performer: 'H1',
      effective: local('2026-03-01T23:30:00').toISOString(),
      loinc: ['2823-3'],
    });
    const lastDay = judgeResult(result, 'S1', rules(baseFacts(), local('2026-03-07T23:59:00')));
    expect(lastDay.status).toBe('recognisable');
    expect(lastDay.validUntil).toBe('2026-03-07');
    const dayAfter = judgeResult(result, 'S1', rules(baseFacts(), local('2026-03-08T00:01:00')));
    expect(dayAfter.status).toBe('not-recognisable');
    expect(dayAfter.reasons).toEqual(['window-passed']);
    // counted in UTC the result would be a 1 March result too, but the 8 March 00:01 query
    // would still be 7 March: the edge only holds in Shanghai days
    expect(new Date(local('2026-03-08T00:01:00')).toISOString().slice(0, 10)).toBe('2026-03-07');
  });

  it('each item has its own window: K (7 days) has passed while glucose (30 days) is still recognisable', () => {
    const r = judgeResult(
      lab({ performer: 'H1', effective: local('2026-03-01T10:00:00').toISOString() }),
      'S1',
      rules(baseFacts(), local('2026-03-10T10:00:00')),
    );
    expect(r.status).toBe('recognisable');
    expect(r.validUntil).toBe('2026-03-30');
    expect(r.items.map((i) => [i.item.catalogueItemCode, i.status, i.reasons])).toEqual([
      ['HB-GLU', 'recognisable', []],
      ['HB-K', 'not-recognisable', ['window-passed']],
    ]);
  });

  it('a lower level accepts a higher one; a higher refuses a lower unless the scope allows it', () => {
    const result = lab({ performer: 'P1', effective: local('2026-03-01T10:00:00').toISOString() });
    const at = local('2026-03-02T10:00:00');
    const refused = judgeResult(result, 'H1', rules(baseFacts(), at));
    expect(refused.status).toBe('not-recognisable');
    expect(refused.reasons).toEqual(['direction-not-allowed']);
    expect(
      judgeResult(lab({ performer: 'H1', effective: result.effective }), 'P1', rules(baseFacts(), at)).status,
    ).toBe('recognisable');
    const allowing = [
      ...baseFacts(),
      province({ H1: 'tertiary', S1: 'secondary', P1: 'primary' }, { higherAcceptsLower: true }),
    ];
    expect(judgeResult(result, 'H1', rules(allowing, at)).status).toBe('recognisable');
  });

  it('the refused pair is allowed inside a tight alliance (its own scope and mark)', () => {
    const tight = [
      ...baseFacts(),
      fact('AllianceRegistered', {
        allianceId: 'wh-east',
        name: '武汉东湖紧密型医联体',
        form: 'urban-group',
        referralResponseHours: 48,
        registeredAt: T0,
      }),
      fact('InstitutionJoinedAlliance', {
        allianceId: 'wh-east',
        institution: 'H1',
        name: 'H1',
        level: 'tertiary',
        role: 'lead',
        joinedAt: T0,
      }),
      fact('InstitutionJoinedAlliance', {
        allianceId: 'wh-east',
        institution: 'P1',
        name: 'P1',
        level: 'primary',
        role: 'member',
        joinedAt: T0,
      }),
      fact('RecognitionScopeDefined', {
        scope: 'alliance:wh-east',
        kind: 'alliance',
        name: '武汉东湖医联体',
        mark: '东湖HR',
        higherAcceptsLower: false,
        tight: true,
        effectiveFrom: '2025-01-01',
      }),
      catalogue('alliance:wh-east', [K, GLU]),
    ];
    const r = judgeResult(
      lab({ performer: 'P1', effective: local('2026-03-01T10:00:00').toISOString() }),
      'H1',
      rules(tight, local('2026-03-02T10:00:00')),
    );
    expect(r.status).toBe('recognisable');
    expect(r.scope).toEqual({ code: 'alliance:wh-east', mark: '东湖HR' });
    // S1 is not an alliance member: still refused nothing (same-level rule does not apply), but
    // P1 → S1 is higher-accepts-lower in the province only
    const s1 = judgeResult(
      lab({ performer: 'P1', effective: local('2026-03-01T10:00:00').toISOString() }),
      'S1',
      rules(tight, local('2026-03-02T10:00:00')),
    );
    expect(s1.reasons).toEqual(['direction-not-allowed']);
    // after P1 leaves the alliance, the tight scope no longer covers the pair
    const left = [
      ...tight,
      fact('InstitutionLeftAlliance', { allianceId: 'wh-east', institution: 'P1', leftAt: T0, reason: 'x' }),
    ];
    expect(
      judgeResult(
        lab({ performer: 'P1', effective: local('2026-03-01T10:00:00').toISOString() }),
        'H1',
        rules(left, local('2026-03-02T10:00:00')),
      ).reasons,
    ).toEqual(['direction-not-allowed']);
  });

  it('a quality status that lapsed before the result; one that lapsed only after the test still counts', () => {
    const lapsed = [
      ...baseFacts().filter(
        (f) => f.type !== 'QualityStatusRecorded' || (f.data as { institution: string }).institution !== 'H1',
      ),
      quality('H1', '2025-01-01', '2026-03-05'),
    ];
    const before = judgeResult(
      lab({ performer: 'H1', effective: local('2026-03-05T23:30:00').toISOString() }),
      'S1',
      rules(lapsed, local('2026-03-07T10:00:00')),
    );
    expect(before.status).toBe('recognisable'); // tested on its status's last day; lapsed between test and query
    const after = judgeResult(
      lab({ performer: 'H1', effective: local('2026-03-06T00:30:00').toISOString() }),
      'S1',
      rules(lapsed, local('2026-03-07T10:00:00')),
    );
    expect(after.status).toBe('not-recognisable');
    expect(after.reasons).toEqual(['quality-not-valid']);
  });

  it('a revoked quality status: results from its revocation day on are not recognisable, earlier ones are', () => {
    const revoked = [
      ...baseFacts(),
      fact('QualityStatusRevoked', {
        statusId: 'eqa-H1',
        institution: 'H1',
        revokedFrom: '2026-03-03',
        reason: '室间质评不合格',
      }),
    ];
    const at = local('2026-03-04T10:00:00');
    expect(
      judgeResult(
        lab({ performer: 'H1', effective: local('2026-03-02T10:00:00').toISOString() }),
        'S1',
        rules(revoked, at),
      ).status,
    ).toBe('recognisable');
    const r = judgeResult(
      lab({ performer: 'H1', effective: local('2026-03-03T08:00:00').toISOString() }),
      'S1',
      rules(revoked, at),
    );
    expect(r.reasons).toEqual(['quality-not-valid']);
  });

  it('amended, cancelled and preliminary results are not recognisable, with the reason', () => {
    const at = local('2026-03-02T10:00:00');
    const effective = local('2026-03-01T10:00:00').toISOString();
    expect(
      judgeResult(
        lab({ performer: 'H1', effective, status: 'amended', version: 2 }),
        'S1',
        rules(baseFacts(), at),
      ).reasons,
    ).toEqual(['result-amended']);
    expect(
      judgeResult(lab({ performer: 'H1', effective, status: 'corrected' }), 'S1', rules(baseFacts(), at))
        .reasons,
    ).toEqual(['result-amended']);
    expect(
      judgeResult(lab({ performer: 'H1', effective, status: 'cancelled' }), 'S1', rules(baseFacts(), at))
        .reasons,
    ).toEqual(['result-cancelled']);
    expect(
      judgeResult(
        lab({ performer: 'H1', effective, status: 'entered-in-error' }),
        'S1',
        rules(baseFacts(), at),
      ).reasons,
    ).toEqual(['result-cancelled']);
    const prelim = judgeResult(
      lab({ performer: 'H1', effective, status: 'preliminary' }),
      'S1',
      rules(baseFacts(), at),
    );
    expect(prelim.reasons).toEqual(['result-preliminary']);
    expect(prelim.items.every((i) => i.status === 'not-recognisable')).toBe(true);
  });

  it('a withdrawn catalogue item: recognisable before its withdrawal takes effect, not after', () => {
    const withdrawn = [
      ...baseFacts(),
      fact('RecognitionCatalogueItemsWithdrawn', {
        scope: 'province:42',
        effectiveFrom: '2026-03-10',
        source: '鄂卫通〔2026〕1号',
        itemCodes: ['HB-GLU'],
      }),
    ];
    const result = lab({
      performer: 'H1',
      effective: local('2026-03-05T10:00:00').toISOString(),
      loinc: ['2345-7'],
    });
    expect(judgeResult(result, 'S1', rules(withdrawn, local('2026-03-09T10:00:00'))).status).toBe(
      'recognisable',
    );
    const after = judgeResult(result, 'S1', rules(withdrawn, local('2026-03-10T10:00:00')));
    expect(after.status).toBe('not-recognisable');
    expect(after.reasons).toEqual(['not-in-shared-catalogue']);
  });

  it('an item outside every shared catalogue, and institutions sharing no scope', () => {
    const at = local('2026-03-02T10:00:00');
    const alt = judgeResult(
      lab({ performer: 'H1', effective: local('2026-03-01T10:00:00').toISOString(), loinc: ['1742-6'] }),
      'S1',
      rules(baseFacts(), at),
    );
    expect(alt.reasons).toEqual(['not-in-shared-catalogue']);
    expect(alt.items).toEqual([]);
    const stranger = judgeResult(
      lab({ performer: 'X9', effective: local('2026-03-01T10:00:00').toISOString() }),
      'S1',
      rules(baseFacts(), at),
    );
    expect(stranger.reasons).toEqual(['not-in-shared-catalogue']);
  });

  it("the requester's own result is not for recognition", () => {
    const r = judgeResult(
      lab({ performer: 'S1', effective: local('2026-03-01T10:00:00').toISOString() }),
      'S1',
      rules(baseFacts(), local('2026-03-02T10:00:00')),
    );
    expect(r.status).toBe('not-recognisable');
    expect(r.reasons).toEqual(['own-result']);
  });

  it('every reason that applies is given, in one order', () => {
    const r = judgeResult(
      lab({
        performer: 'P1',
        effective: local('2026-01-01T10:00:00').toISOString(),
        status: 'amended',
        loinc: ['2823-3'],
      }),
      'H1',
      rules(
        [
          ...baseFacts(),
          fact('QualityStatusRevoked', {
            statusId: 'eqa-P1',
            institution: 'P1',
            revokedFrom: '2025-06-01',
            reason: 'x',
          }),
        ],
        local('2026-03-02T10:00:00'),
      ),
    );
    expect(r.reasons).toEqual([
      'quality-not-valid',
      'window-passed',
      'direction-not-allowed',
      'result-amended',
    ]);
  });

  it('imaging: modality and body site name the item; another body site does not', () => {
    const at = local('2026-03-02T10:00:00');
    const chest = judgeResult(
      ct('H1', local('2026-03-01T10:00:00').toISOString()),
      'S1',
      rules(baseFacts(), at),
    );
    expect(chest.status).toBe('recognisable');
    expect(chest.item?.catalogueItemCode).toBe('HB-CT-CHEST');
    expect(chest.validUntil).toBe('2026-03-30');
    const head = judgeResult(
      ct('H1', local('2026-03-01T10:00:00').toISOString(), {
        system: 'http://snomed.info/sct',
        code: '69536005',
        display: 'Head',
      }),
      'S1',
      rules(baseFacts(), at),
    );
    expect(head.reasons).toEqual(['not-in-shared-catalogue']);
  });

  it("a lab's local code is matched through its code map, and only the performer's", () => {
    const mapped = [
      ...baseFacts(),
      fact('RecognitionCodesMapped', {
        institution: 'H1',
        mappings: [{ system: 'urn:local', code: 'K-LOCAL', itemCode: 'HB-K' }],
      }),
    ];
    const at = local('2026-03-02T10:00:00');
    const effective = local('2026-03-01T10:00:00').toISOString();
    const local1 = {
      ...lab({ performer: 'H1', effective, loinc: [] }),
      lines: [{ codings: [{ system: 'urn:local', code: 'K-LOCAL' }], observationId: 'o1' }],
    };
    expect(judgeResult(local1, 'S1', rules(mapped, at)).item?.catalogueItemCode).toBe('HB-K');
    const other = { ...local1, performer: 'P1' };
    expect(judgeResult(other, 'S1', rules(mapped, at)).reasons).toEqual(['not-in-shared-catalogue']);
  });

  it('as of a moment: a catalogue amendment recorded later does not change the earlier answer', () => {
    const facts = baseFacts();
    const amendedAt = '2026-03-04T00:00:00.000Z';
    const b = book([
      ...facts,
      catalogue('province:42', [{ ...GLU, validityDays: 3 }], '2026-03-04', amendedAt),
    ]);
    const result = lab({
      performer: 'H1',
      effective: local('2026-03-01T10:00:00').toISOString(),
      loinc: ['2345-7'],
    });
    const before = new Date('2026-03-03T23:00:00.000Z'); // 4 March 07:00 local, amendment not yet known
    expect(judgeResult(result, 'S1', b.at(before, shanghaiDay(before))).validUntil).toBe('2026-03-30');
    const after = new Date('2026-03-04T01:00:00.000Z');
    const r = judgeResult(result, 'S1', b.at(after, shanghaiDay(after)));
    expect(r.reasons).toEqual(['window-passed']); // 3 days from 1 March: last day 3 March
    expect(b.countUpTo(before.toISOString())).toBe(facts.length);
  });
});
