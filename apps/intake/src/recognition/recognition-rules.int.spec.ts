/* Loading the recognition rules through the intake's operator routes, on a real PostgreSQL
 * store: a file with bad rows names every problem and records nothing; a good one is recorded
 * and the eligibility service reads it after projection; the same file again records nothing. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import {
  qualityStatusStream,
  recognitionCatalogueStream,
  type RecognitionCatalogueItemsPublishedV1,
} from '@yilian/contracts';
import { createEventStore, type EventStore } from '@yilian/event-store';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, ProjectionRunner } from '@yilian/projections';
import { RecognitionEligibility } from '@yilian/recognition';
import { createLogger } from '@yilian/runtime';
import { createTestDatabase } from '@yilian/testing';
import { Pool } from 'pg';
import { startIntake, type RunningIntake } from '../start-intake';

const OPERATOR_KEY = 'key-recognition-operator-0123456789';
const INSTITUTION_KEY = 'key-demoh1-0123456789abcdef0123';
const SAMPLES = join(__dirname, '../../../../samples/recognition');
const HEADER =
  'code,name,kind,validityDays,priceYuan,group,loinc,localCodes,modalities,bodySites,procedureCodes';
const SCOPE = 'province:42';
const SOURCE = '鄂卫通〔2023〕56号';

let store: EventStore;
let intake: RunningIntake;
let pool: Pool;

beforeAll(async () => {
  process.env['YILIAN_ALLIANCE_OPERATORS'] = `health-commission:${hashApiKey(OPERATOR_KEY)}`;
  const url = await createTestDatabase('recognition_loading');
  store = await createEventStore(url);
  pool = new Pool({ connectionString: url, max: 2 });
  intake = await startIntake({
    store,
    institutions: new InstitutionDirectory([
      { code: 'DEMOH1', name: '示范三级医院', apiKeySha256: hashApiKey(INSTITUTION_KEY), mllpPort: 1 },
    ]),
    patientKeyer: new PatientKeyer('recognition-loading-test-secret-0123456789'),
    mllp: { host: '127.0.0.1', ephemeralPorts: true },
    logger: createLogger('recognition-loading-test', 'silent'),
    httpPort: 0,
    host: '127.0.0.1',
  });
});

afterAll(async () => {
  await intake?.stop();
  await store?.close();
  await pool?.end();
});

async function post(path: string, body: string, type: string, key = OPERATOR_KEY) {
  const res = await fetch(`${intake.httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const catalogueUrl = (effectiveFrom = '2024-01-01') =>
  `/recognition/catalogues/${encodeURIComponent(SCOPE)}?effectiveFrom=${effectiveFrom}&source=${encodeURIComponent(SOURCE)}`;

const GOOD = [
  HEADER,
  'K,钾,lab,7,5,biochem,2823-3,,,,',
  'GLU,葡萄糖,lab,30,4,biochem,2345-7;14749-6,,,,',
  'HBA1C,糖化血红蛋白,lab,60,50,glyco,4548-4,,,,',
  'CT-CHEST,胸部CT平扫,imaging,30,200,ct,,,CT,51185008;胸部,',
].join('\n');

describe('POST /recognition/catalogues/{scope}', () => {
  it('answers a file with bad rows with every problem, and records nothing', async () => {
    const bad = [
      HEADER,
      'K,钾,lab,7,5,biochem,2823-3,,,,',
      'NA,钠,lab,7d,5,biochem,2951-2,,,,',
      'K,钾,lab,7,5,biochem,2823-3,,,,',
      'CT-CHEST,胸部CT平扫,imaging,30,two hundred,ct,,,CT;XX,胸部,',
    ].join('\n');
    const answer = await post(catalogueUrl(), `\uFEFF${bad}`, 'text/csv; charset=utf-8');
    expect(answer.status).toBe(422);
    expect(answer.body['problems']).toEqual([
      { row: 3, column: 'validityDays', message: 'expected a whole number of days from 1 to 3650, got "7d"' },
      {
        row: 4,
        column: 'code',
        message: 'item code "K" is already on row 2: each may appear once in a file',
      },
      {
        row: 5,
        column: 'priceYuan',
        message:
          'expected a price in yuan from 0 to 1000000 with at most 2 decimals (e.g. 12.50), got "two hundred"',
      },
      { row: 5, column: 'modalities', message: '"XX" is not a DICOM modality (CT, MR, DX, CR, US, MG …)' },
    ]);
    expect(await store.readStream(recognitionCatalogueStream(SCOPE))).toEqual([]);
  });

  it('takes a CSV of a few MB, and names a bad row at its end', async () => {
    const rows = Array.from(
      { length: 19_999 },
      (_, i) =>
        `ITEM-${i},示例项目 sample item number ${i} with a longer name,lab,30,12.50,biochem,2823-3,urn:lis:sample|L${i},,,`,
    );
    const csv = [HEADER, ...rows, 'LAST,最后一项,lab,forever,,,2823-3,,,,'].join('\n');
    expect(Buffer.byteLength(csv)).toBeGreaterThan(2_000_000);
    const answer = await post(catalogueUrl(), csv, 'text/csv');
    expect(answer.status).toBe(422);
    expect(answer.body['problems']).toEqual([
      {
        row: 20_001,
        column: 'validityDays',
        message: 'expected a whole number of days from 1 to 3650, got "forever"',
      },
    ]);
    expect(await store.readStream(recognitionCatalogueStream(SCOPE))).toEqual([]);
  });

  it('records a good file once: 201 with the counts, readable by the eligibility service; the same file again 200', async () => {
    const first = await post(catalogueUrl(), GOOD, 'text/csv');
    expect(first).toEqual({
      status: 201,
      body: expect.objectContaining({
        recorded: true,
        events: 1,
        items: 4,
        published: 4,
        amended: 0,
        unchanged: 0,
      }) as unknown,
    });
    const stream = await store.readStream(recognitionCatalogueStream(SCOPE));
    expect(stream.map((e) => e.type)).toEqual(['RecognitionCatalogueItemsPublished']);
    expect(stream[0]!.metadata.source).toEqual(
      expect.objectContaining({ institution: 'health-commission', protocol: 'hub' }),
    );

    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    for (const event of await store.readAll()) await runner.apply(event);
    const rules = await new RecognitionEligibility(pool).rulesAt(new Date());
    const items = rules.catalogues.get(SCOPE)!.items;
    expect([...items.keys()].sort()).toEqual(['CT-CHEST', 'GLU', 'HBA1C', 'K']);
    expect(items.get('GLU')).toEqual(
      expect.objectContaining({ validityDays: 30, loinc: ['2345-7', '14749-6'], source: SOURCE }),
    );

    const again = await post(catalogueUrl(), GOOD, 'text/csv');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(expect.objectContaining({ recorded: false, events: 0, unchanged: 4 }));
    expect(await store.readStream(recognitionCatalogueStream(SCOPE))).toHaveLength(1);
  });

  it('records only the amended rows of a file loaded again; JSON with an envelope does the same', async () => {
    const amended = GOOD.replace('K,钾,lab,7,', 'K,钾,lab,5,');
    const answer = await post(catalogueUrl(), amended, 'text/csv');
    expect(answer.body).toEqual(
      expect.objectContaining({
        recorded: true,
        published: 0,
        amended: 1,
        unchanged: 3,
        amendedCodes: ['K'],
      }),
    );
    const stream = await store.readStream(recognitionCatalogueStream(SCOPE));
    expect((stream[1]!.data as RecognitionCatalogueItemsPublishedV1).items).toEqual([
      {
        code: 'K',
        name: '钾',
        kind: 'lab',
        validityDays: 5,
        priceYuan: 5,
        group: 'biochem',
        loinc: ['2823-3'],
      },
    ]);
    const json = {
      effectiveFrom: '2024-01-01',
      source: SOURCE,
      items: [
        {
          code: 'K',
          name: '钾',
          kind: 'lab',
          validityDays: 5,
          priceYuan: 5,
          group: 'biochem',
          loinc: ['2823-3'],
        },
      ],
    };
    const same = await post(`/recognition/catalogues/${SCOPE}`, JSON.stringify(json), 'application/json');
    expect(same.status).toBe(200);
    const conflicting = await post(`${catalogueUrl('2025-01-01')}`, JSON.stringify(json), 'application/json');
    expect(conflicting.status).toBe(422);
    expect(conflicting.body['problems']).toEqual([
      {
        row: null,
        column: 'effectiveFrom',
        message: 'the query says "2025-01-01", the body "2024-01-01": give it once',
      },
    ]);
  });

  it('withdraws items once, and refuses a code the catalogue never had', async () => {
    const url = `/recognition/catalogues/${SCOPE}/withdrawals?effectiveFrom=2025-01-01&source=${encodeURIComponent('鄂卫通〔2024〕9号')}`;
    const unknown = await post(url, 'code\nHBA1C\nNOPE\n', 'text/csv');
    expect(unknown.status).toBe(422);
    expect(unknown.body['problems']).toEqual([
      { row: 3, column: 'code', message: `item "NOPE" is not in the catalogue of ${SCOPE}` },
    ]);
    expect((await post(url, 'code\nHBA1C\n', 'text/csv')).body).toEqual(
      expect.objectContaining({ recorded: true, withdrawn: 1 }),
    );
    expect((await post(url, JSON.stringify({ itemCodes: ['HBA1C'] }), 'application/json')).status).toBe(200);
    expect(await store.readStream(recognitionCatalogueStream(SCOPE))).toHaveLength(3);
  });

  it('refuses an institution key (401), another content type (415) and a CSV that is not UTF-8 (422)', async () => {
    expect((await post(catalogueUrl(), GOOD, 'text/csv', INSTITUTION_KEY)).status).toBe(401);
    expect((await post(catalogueUrl(), GOOD, 'application/xml')).status).toBe(415);
    const gbk = Buffer.from([
      ...Buffer.from(`${HEADER}\nK,`),
      0xbc,
      0xd8,
      ...Buffer.from(',lab,7,,,2823-3,,,,\n'),
    ]);
    const res = await fetch(`${intake.httpUrl}${catalogueUrl()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'text/csv' },
      body: gbk,
    });
    expect(res.status).toBe(422);
    const asGb = await fetch(`${intake.httpUrl}${catalogueUrl()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'text/csv; charset=gb18030' },
      body: gbk,
    });
    // 钾 in GB18030, read as such: the same name as before, only its 7-day window differs
    expect(((await asGb.json()) as Record<string, unknown>)['amendedCodes']).toEqual(['K']);
  });
});

describe('the sample scopes, quality statuses and code map', () => {
  it('are recorded once each', async () => {
    const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8');
    for (const name of ['sample-scope-province-42.json', 'sample-scope-alliance-demo-alliance.json']) {
      expect((await post('/recognition/scopes', sample(name), 'application/json')).status).toBe(201);
      expect((await post('/recognition/scopes', sample(name), 'application/json')).status).toBe(200);
    }
    const quality = await post(
      '/recognition/quality-statuses?sample=true',
      sample('sample-quality-statuses.csv'),
      'text/csv',
    );
    expect(quality.body).toEqual(
      expect.objectContaining({ recorded: true, statuses: 7, recordedStatuses: 7, revoked: 1 }),
    );
    expect((await store.readStream(qualityStatusStream('DEMOS1'))).map((e) => e.type)).toEqual([
      'QualityStatusRecorded',
      'QualityStatusRecorded',
      'QualityStatusRecorded',
      'QualityStatusRevoked',
    ]);
    const again = await post(
      '/recognition/quality-statuses?sample=true',
      sample('sample-quality-statuses.csv'),
      'text/csv',
    );
    expect(again.body).toEqual(expect.objectContaining({ recorded: false, unchanged: 7 }));
    const map = await post('/recognition/code-maps/DEMOS1', sample('sample-code-map-DEMOS1.csv'), 'text/csv');
    expect(map.body).toEqual(expect.objectContaining({ recorded: true, mapped: 1 }));
    expect(
      (await post('/recognition/code-maps/DEMOS1', sample('sample-code-map-DEMOS1.csv'), 'text/csv')).status,
    ).toBe(200);
  });
});

describe('npm run recognition (the CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yilian-recognition-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const REPO = join(__dirname, '../../../..');

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [
          '-r',
          '@swc-node/register',
          'scripts/recognition/cli.ts',
          '--url',
          intake.httpUrl,
          '--token',
          OPERATOR_KEY,
          ...args,
        ],
        { cwd: REPO },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  it('prints every problem row by row and exits 1; loads a good file and says so when loaded again', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      [HEADER, 'LI,锂,lab,7d,15,biochem,14334-7,,,,', 'MG,镁,lab,7,6,biochem,19123-8,,,,'].join('\n'),
    );
    const args = [
      'load-catalogue',
      '--scope',
      'city:4201',
      '--effective-from',
      '2024-01-01',
      '--source',
      '武卫〔2024〕1号',
    ];
    const rejected = await cli(...args, bad);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.split('\n')).toEqual([
      `${bad}: rejected, 2 problems; nothing was recorded`,
      '  row 2, column validityDays: expected a whole number of days from 1 to 3650, got "7d"',
      '  row 3, column loinc: "19123-8" is not a LOINC code (digits, "-", its check digit)',
      '',
    ]);
    expect(await store.readStream(recognitionCatalogueStream('city:4201'))).toEqual([]);

    const good = join(dir, 'good.csv');
    writeFileSync(
      good,
      [HEADER, 'LI,锂,lab,7,15,biochem,14334-7,,,,', 'MG,镁,lab,7,6,biochem,19123-9,,,,'].join('\n'),
    );
    const loaded = await cli(...args, good);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain(`${good}: recorded (1 event)`);
    expect(loaded.stdout).toContain('published: 2');
    const again = await cli(...args, good);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing was recorded');
    expect(await store.readStream(recognitionCatalogueStream('city:4201'))).toHaveLength(1);
  });
});
