/* The sample rules, parsed as the intake parses them, make the demo's results recognisable as
 * a newcomer should see them: the lead hospital's panel for the others, the community centre's
 * glucose and the secondary hospital's chest CT for the lead through the alliance (the province
 * does not let a higher level accept a lower one), K/Na/Cl of 10 days ago past their 7 days. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALLIANCE_REGISTERED,
  INSTITUTION_JOINED_ALLIANCE,
  QUALITY_STATUS_RECORDED,
  QUALITY_STATUS_REVOKED,
  RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
  RECOGNITION_CODES_MAPPED,
  RECOGNITION_SCOPE_DEFINED,
} from '@yilian/contracts';
import {
  judgeResult,
  parseCatalogueFile,
  parseCodeMapFile,
  parseQualityFile,
  parseScopeFile,
  RulesBook,
  type Loaded,
  type ResultRecord,
  type RuleFact,
} from '@yilian/recognition';
import { DEMO_BIOCHEMISTRY } from './demo-messages';
import { DEMO_ALLIANCE_ID } from './demo-seed';
import {
  SAMPLE_CATALOGUE_EFFECTIVE_FROM,
  SAMPLE_CATALOGUE_SOURCE,
  SAMPLE_SCOPES,
  sampleRecognitionDir,
  sampleRecognitionLoads,
} from './demo-recognition';

const dir = sampleRecognitionDir();
const file = (name: string) => readFileSync(join(dir, name), 'utf8');
function ok<T>(result: Loaded<T>): T {
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const NOW = new Date('2026-12-06T04:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

function rules() {
  const facts: RuleFact[] = [];
  const at = (type: string, data: unknown) =>
    facts.push({ type, data, recordedAt: new Date(NOW.getTime() - 3_600_000 + facts.length).toISOString() });
  at(ALLIANCE_REGISTERED, {
    allianceId: DEMO_ALLIANCE_ID,
    name: '示范城市医疗集团（演示数据）',
    form: 'urban-group',
    referralResponseHours: 48,
  });
  for (const [institution, level] of [
    ['DEMOH1', 'tertiary'],
    ['DEMOS1', 'secondary'],
    ['DEMO01', 'primary'],
  ])
    at(INSTITUTION_JOINED_ALLIANCE, { allianceId: DEMO_ALLIANCE_ID, institution, level });
  at(RECOGNITION_SCOPE_DEFINED, ok(parseScopeFile(JSON.parse(file('sample-scope-province-42.json')))));
  at(
    RECOGNITION_SCOPE_DEFINED,
    ok(parseScopeFile(JSON.parse(file('sample-scope-alliance-demo-alliance.json')))),
  );
  for (const scope of SAMPLE_SCOPES)
    at(
      RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
      ok(
        parseCatalogueFile(
          { csv: file('sample-catalogue-hubei.csv') },
          {
            scope,
            effectiveFrom: SAMPLE_CATALOGUE_EFFECTIVE_FROM,
            source: SAMPLE_CATALOGUE_SOURCE,
            sample: true,
          },
        ),
      ),
    );
  const quality = ok(parseQualityFile({ csv: file('sample-quality-statuses.csv') }, { sample: true }));
  quality.recorded.forEach((s) => at(QUALITY_STATUS_RECORDED, s));
  quality.revoked.forEach((s) => at(QUALITY_STATUS_REVOKED, s));
  at(RECOGNITION_CODES_MAPPED, ok(parseCodeMapFile({ csv: file('sample-code-map-DEMOS1.csv') }, 'DEMOS1')));
  const book = new RulesBook();
  book.add(facts);
  return book.at(NOW, '2026-12-06');
}

function lab(performer: string, analytes: typeof DEMO_BIOCHEMISTRY, days: number): ResultRecord {
  return {
    stream: `labreport-${performer}-DEMO`,
    version: 1,
    patientKey: 'pk',
    performer,
    kind: 'lab',
    resourceType: 'DiagnosticReport',
    resourceId: `${performer}.DEMO`,
    status: 'final',
    effective: daysAgo(days),
    recordedAt: daysAgo(days),
    lines: [
      { codings: [{ system: `urn:yilian:institution:${performer}:code`, code: 'BIOCHEM' }] },
      ...analytes.map(([code, loinc], i) => ({
        observationId: `o${i}`,
        codings: [
          { system: `urn:yilian:institution:${performer}:code`, code },
          { system: 'http://loinc.org', code: loinc },
        ],
      })),
    ],
  };
}

const byItem = (r: ReturnType<typeof judgeResult>) =>
  Object.fromEntries(
    r.items.map((i) => [
      i.item.catalogueItemCode,
      i.status === 'recognisable' ? i.scope!.mark : i.reasons.join(','),
    ]),
  );

describe('the sample recognition rules with the demo results', () => {
  const at = rules();

  it('parse without a problem, every item in both scopes, every load named', () => {
    expect(at.catalogues.get('province:42')!.items.size).toBe(33);
    expect(at.catalogues.get('alliance:demo-alliance')!.items.size).toBe(33);
    expect(sampleRecognitionLoads(dir).map((l) => l.path.split('?')[0])).toEqual([
      '/recognition/scopes',
      '/recognition/scopes',
      '/recognition/catalogues/province%3A42',
      '/recognition/catalogues/alliance%3Ademo-alliance',
      '/recognition/quality-statuses',
      '/recognition/code-maps/DEMOS1',
    ]);
  });

  it('keep the Hubei windows of DOMAIN.md', () => {
    const items = at.catalogues.get('province:42')!.items;
    const windowOf = (codes: string[]) => codes.map((c) => items.get(c)?.validityDays);
    expect(windowOf(['K', 'NA', 'CL', 'CA', 'MG', 'FE', 'TIBC', 'P', 'LI'])).toEqual(Array(9).fill(7));
    expect(
      windowOf(['TP', 'ALB', 'GLU', 'TC', 'TG', 'HDL-C', 'LDL-C', 'APOA1', 'APOB', 'TBIL', 'DBIL']),
    ).toEqual(Array(11).fill(30));
    expect(windowOf(['HBA1C'])).toEqual([60]);
    expect([...items.values()].every((i) => i.sample)).toBe(true);
  });

  it("the lead hospital's panel is recognisable at the secondary hospital under 鄂HR", () => {
    expect(byItem(judgeResult(lab('DEMOH1', DEMO_BIOCHEMISTRY, 3), 'DEMOS1', at))).toEqual({
      K: '鄂HR',
      NA: '鄂HR',
      CL: '鄂HR',
      GLU: '鄂HR',
      TP: '鄂HR',
      ALB: '鄂HR',
      HBA1C: '鄂HR',
    });
  });

  it("the community centre's glucose of 10 days ago is recognisable at the lead through the alliance; K, Na, Cl are too old", () => {
    expect(byItem(judgeResult(lab('DEMO01', DEMO_BIOCHEMISTRY.slice(0, 4), 10), 'DEMOH1', at))).toEqual({
      K: 'window-passed,direction-not-allowed',
      NA: 'window-passed,direction-not-allowed',
      CL: 'window-passed,direction-not-allowed',
      GLU: '示范医联体HR',
    });
  });

  it("the secondary hospital's chest CT matches CT-CHEST (CT + 胸部, and its code CT0101 mapped)", () => {
    const ct: ResultRecord = {
      stream: 'imaging-DEMOS1-DEMO-CT-S-001',
      version: 1,
      patientKey: 'pk',
      performer: 'DEMOS1',
      kind: 'imaging',
      resourceType: 'ImagingStudy',
      resourceId: 'DEMOS1.DEMO-CT-S-001',
      status: 'available',
      effective: daysAgo(5),
      recordedAt: daysAgo(5),
      lines: [
        {
          codings: [{ system: 'urn:yilian:institution:DEMOS1:code', code: 'CT0101', display: '胸部CT平扫' }],
        },
      ],
      imaging: {
        modalities: ['CT'],
        bodySites: [{ system: 'urn:yilian:institution:DEMOS1:code', code: 'XB01', display: '胸部' }],
        procedureCodes: [
          { system: 'urn:yilian:institution:DEMOS1:code', code: 'CT0101', display: '胸部CT平扫' },
        ],
      },
    };
    expect(byItem(judgeResult(ct, 'DEMOH1', at))).toEqual({ 'CT-CHEST': '示范医联体HR' });
    expect(byItem(judgeResult(ct, 'DEMO01', at))).toEqual({ 'CT-CHEST': '鄂HR' });
  });
});
