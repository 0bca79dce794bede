import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import { SAMPLE_RESIDENT_ID, ruleEvent } from '@yilian/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { qualityStatusStream, recognitionCatalogueStream, recognitionScopeStream } from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { addDays, shanghaiDay } from '@yilian/recognition';
import {
  ALLIANCE,
  call,
  KEYS,
  patientWithResidentId,
  referralBundle,
  type ReferralsHub,
  serviceRequest,
  setUpAlliance,
  startReferralsHub,
} from '../e2e/referrals-harness';
import {
  DESKTOP,
  ensureConsoleBuilt,
  launchChromium,
  overflowsHorizontally,
  seriousViolations,
  shot,
  signIn,
  TABLET,
} from './browser-harness';

// The web console in Debian's Chromium against the real hub on its embedded PostgreSQL.
const AUDITOR_KEY = 'key-auditor-0123456789abcdef';
const LONG_NAME = '华中科技大学同济医学院附属协和医院西院区心血管病诊疗中心暨国家区域医疗中心（示范）';

const ACTION_TIMEOUT_MS = 90_000;
jest.setTimeout(240_000);

describe('web console in a real browser', () => {
  let hub: ReferralsHub;
  let browser: Browser;
  let url: string;
  const contexts: BrowserContext[] = [];
  const open = async (viewport: { width: number; height: number }, key: string) => {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    // patient with a loaded machine: in CI the HAPI validator's JVM shares the two cores
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, url, key);
    return page;
  };
  const accessible = async (page: Page, name: string) => {
    await shot(page, name);
    expect({ name, violations: await seriousViolations(page) }).toEqual({ name, violations: [] });
    expect({ name, overflows: await overflowsHorizontally(page) }).toEqual({ name, overflows: false });
  };
  /** The board follows the log through the projector: refresh until the row shows the status. */
  const rowOf = async (page: Page, id: string, status: string) => {
    const row = page.locator(`tr[data-referral="${id}"]`);
    for (let i = 0; i < 50; i++) {
      if ((await row.locator(`[data-status="${status}"]`).count()) > 0) return row;
      await page.getByRole('button', { name: /^(刷新|Refresh)$/ }).click();
      await page.waitForTimeout(200);
    }
    throw new Error(`${id} never showed ${status}`);
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    hub = await startReferralsHub('console_browser', undefined, {
      institutions: new InstitutionDirectory([
        { code: 'H001', name: LONG_NAME, apiKeySha256: hashApiKey(KEYS.H001), mllpPort: 1 },
        { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEYS.C002), mllpPort: 2 },
      ]),
      auditors: `city-auditor:${hashApiKey(AUDITOR_KEY)}`,
    });
    if (!hub.consoleUrl) throw new Error('the hub serves no console: dist/console was not built');
    url = hub.consoleUrl;
    await setUpAlliance(hub);
    // two more referrals for the indicators: one rejected with a reason, one sent downward
    const send = async (number: string, from: string, to: string, key: string) => {
      const sr = serviceRequest({ number, sender: from, receiver: to, subject: { reference: 'Patient/x' } });
      const created = await call(
        hub,
        'POST',
        '/fhir',
        key,
        referralBundle(sr, patientWithResidentId(SAMPLE_RESIDENT_ID)),
      );
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    };
    await send('API-1', 'C002', 'H001', KEYS.C002);
    await call(hub, 'POST', '/referrals/C002.API-1/reject', KEYS.H001, {
      code: 'no-capacity',
      text: '床位已满',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await hub?.stop();
  });

  it('takes a referral from request to completion: the community centre and the hospital, each in its own browser', async () => {
    const centre = await open(DESKTOP, KEYS.C002);
    const hospital = await open(TABLET, KEYS.H001);
    await expect(hospital.getByText(LONG_NAME, { exact: false }).count()).resolves.toBe(1);
    await accessible(centre, 'referral-desk-empty-1280');

    await centre.getByRole('button', { name: '发起转诊' }).click();
    const form = centre.getByRole('form', { name: '发起转诊' });
    await form.getByLabel('接收机构代码').fill('H001');
    await form.getByLabel('科室').fill('心内科');
    await form.getByLabel('患者身份证号').fill(SAMPLE_RESIDENT_ID);
    await form.getByLabel('患者姓名').fill('欧阳娜娜');
    await form
      .getByLabel('诊断 / 转诊原因')
      .fill('不稳定型心绞痛，需冠脉造影评估并考虑介入治疗（长文本换行检查）');
    await form.getByLabel('紧急程度').selectOption('urgent');
    await accessible(centre, 'referral-new-1280');
    await form.getByRole('button', { name: '提交' }).click();
    const requested = await centre.getByRole('status').filter({ hasText: '已发起转诊' }).textContent();
    const id = /C002\.R[0-9A-Z]+/.exec(requested ?? '')![0];

    // the hospital's inbox, on a tablet; a second tab of it stays stale on purpose
    const stale = await hospital.context().newPage();
    await signIn(stale, url, KEYS.H001);
    let row = await rowOf(hospital, id, 'requested');
    await rowOf(stale, id, 'requested');
    await accessible(hospital, 'referral-inbox-768');
    await row.getByRole('button', { name: '接收' }).click();
    await hospital
      .getByRole('form', { name: `接收 · ${id}` })
      .getByRole('button', { name: '提交' })
      .click();
    await hospital
      .getByRole('status')
      .filter({ hasText: `已记录：${id} → 已接收` })
      .waitFor();

    // the stale tab, still showing it unanswered, rejects it: refused, with the API's reason
    await stale.locator(`tr[data-referral="${id}"]`).getByRole('button', { name: '拒绝' }).click();
    await stale
      .getByRole('form', { name: `拒绝 · ${id}` })
      .getByRole('button', { name: '提交' })
      .click();
    const refusal = stale.getByRole('alert');
    await expect(refusal.textContent()).resolves.toMatch(/操作被拒绝（409）：.+/);
    await accessible(stale, 'referral-refused-768');

    row = await rowOf(hospital, id, 'accepted');
    await row.getByRole('button', { name: '预约' }).click();
    const booking = hospital.getByRole('form', { name: `预约 · ${id}` });
    await booking.getByLabel('预约类型').selectOption('examination');
    const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
    await booking.getByLabel('预约时间').fill(`${tomorrow}T09:30`);
    await booking.getByLabel('科室').fill('心内科导管室');
    await expect(booking.getByLabel('经“三优先”通道').isChecked()).resolves.toBe(true);
    await accessible(hospital, 'referral-schedule-768');
    await booking.getByRole('button', { name: '提交' }).click();
    row = await rowOf(hospital, id, 'scheduled');
    await row.getByRole('button', { name: '登记到院' }).click();
    await hospital
      .getByRole('form', { name: `登记到院 · ${id}` })
      .getByRole('button', { name: '提交' })
      .click();
    row = await rowOf(hospital, id, 'arrived');
    await row.getByRole('button', { name: '完成' }).click();
    await hospital
      .getByRole('form', { name: `完成 · ${id}` })
      .getByRole('button', { name: '提交' })
      .click();
    await rowOf(hospital, id, 'completed');

    // the centre sees it completed in its outbox, with every step: what, who, when
    await centre.getByRole('tab', { name: '发件箱（转出）' }).click();
    row = await rowOf(centre, id, 'completed');
    await row.getByRole('button', { name: '全程记录' }).click();
    const steps = centre.locator('.timeline li');
    await steps.nth(4).waitFor();
    await expect(steps.allTextContents()).resolves.toEqual([
      expect.stringContaining('待接收（C002）'),
      expect.stringContaining('已接收（H001）'),
      expect.stringContaining('已预约（H001）'),
      expect.stringContaining('已到院（H001）'),
      expect.stringContaining('已完成（H001）'),
    ]);
    await accessible(centre, 'referral-history-1280');

    // and in English, from the same catalogue keys
    await centre.getByRole('button', { name: /切换语言/ }).click();
    await centre.getByRole('heading', { name: 'Referral desk' }).waitFor();
    await expect(steps.first().textContent()).resolves.toContain('requested (C002)');
    await centre
      .getByRole('status')
      .filter({ hasText: `Referral ${id} requested` })
      .waitFor();
    await accessible(centre, 'referral-history-en-1280');
  });

  it('shows the indicators the API gives, as charts, on a desktop and a tablet', async () => {
    for (const [viewport, label] of [
      [DESKTOP, '1280'],
      [TABLET, '768'],
    ] as const) {
      const page = await open(viewport, KEYS.platform);
      await page.getByRole('heading', { name: '运行指标' }).waitFor();
      await page.locator('[data-kpi="total"]').waitFor();
      const year = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4);
      const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const api = await call<{ overall: { referrals: { total: number; upward: number; downward: number } } }>(
        hub,
        'GET',
        `/referrals/indicators?alliance=${ALLIANCE}&granularity=month&from=${year}-01-01&to=${today}`,
        KEYS.platform,
      );
      const shown = async (kpi: string) => Number(await page.locator(`[data-kpi="${kpi}"]`).textContent());
      expect(api.body.overall.referrals.total).toBeGreaterThanOrEqual(1);
      await expect(shown('total')).resolves.toBe(api.body.overall.referrals.total);
      await expect(shown('upward')).resolves.toBe(api.body.overall.referrals.upward);
      await expect(shown('downward')).resolves.toBe(api.body.overall.referrals.downward);
      // three referral charts and recognition's declines by reason (no decision yet: rate —)
      await page.locator('[data-kpi="recognitionRate"]').waitFor();
      await expect(page.locator('[data-kpi="recognitionRate"]').textContent()).resolves.toBe('—');
      await expect(page.locator('.chart svg').count()).resolves.toBe(4);
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: '下载 CSV' }).first().click();
      const csv = await (await download).createReadStream();
      let text = '';
      for await (const chunk of csv) text += String(chunk);
      expect(text.split('\r\n')[0]).toBe(
        '\ufeffperiod,total,upward,downward,acceptanceRate,medianHoursToAcceptance,p90HoursToAcceptance,priorityChannelShare,bookedShareOfOutpatient',
      );
      await accessible(page, `indicators-${label}`);
    }
  });

  it('refuses the audit page to an institution user, with the reason, and shows it to an auditor', async () => {
    const institution = await open(DESKTOP, KEYS.H001);
    await expect(institution.getByRole('link', { name: '审计' }).count()).resolves.toBe(0);
    await institution.goto(`${url}#audit`);
    await institution.reload();
    await institution.getByRole('heading', { name: '审计' }).waitFor();
    const alert = institution.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/操作被拒绝（403）：.*auditor.*institution H001/);
    await accessible(institution, 'audit-refused-1280');

    // enough reads for serial numbers of two digits
    for (let i = 0; i < 10; i++) await call(hub, 'GET', '/console/referrals?box=inbox', KEYS.H001);
    const auditor = await open(DESKTOP, AUDITOR_KEY);
    await auditor.getByRole('heading', { name: '审计' }).waitFor();
    const boardReads = auditor.locator('tbody tr', { hasText: 'ReferralBoard' });
    await boardReads.first().waitFor();
    await expect(auditor.locator('tbody tr', { hasText: 'H001' }).count()).resolves.toBeGreaterThan(0);
    // newest first, by serial number (not as text: 10 after 9)
    const serials = (await auditor.locator('tbody tr td:first-child').allTextContents()).map(Number);
    expect(serials.length).toBeGreaterThanOrEqual(10);
    expect(serials).toEqual([...serials].sort((a, b) => b - a));
    await auditor.getByRole('button', { name: '立即校验' }).click();
    await auditor.locator('[data-intact="true"]').waitFor();
    await accessible(auditor, 'audit-1280');
    // as of a moment before anything was read: nothing yet
    await auditor.getByLabel('截至时刻').fill('2026-01-01T00:00');
    await auditor.getByRole('button', { name: '查询' }).click();
    await auditor.getByText('暂无记录').waitFor();
    await accessible(auditor, 'audit-as-of-1280');
  });

  it("a doctor at the community centre recognises one of the hospital's results and declines another, with a reason", async () => {
    const today = shanghaiDay(new Date());
    const rule = ruleEvent;
    await hub.store.append(
      recognitionScopeStream('province:42'),
      [
        rule('RecognitionScopeDefined', {
          scope: 'province:42',
          kind: 'province',
          name: '湖北省',
          mark: '鄂HR',
          higherAcceptsLower: false,
          tight: false,
          effectiveFrom: '2025-01-01',
          members: [
            { institution: 'H001', level: 'tertiary' },
            { institution: 'C002', level: 'primary' },
          ],
        }),
      ],
      'any',
    );
    await hub.store.append(
      recognitionCatalogueStream('province:42'),
      [
        rule('RecognitionCatalogueItemsPublished', {
          scope: 'province:42',
          effectiveFrom: '2025-01-01',
          source: 'sample',
          items: [
            {
              code: 'HB-GLU',
              name: '葡萄糖',
              kind: 'lab',
              validityDays: 30,
              group: 'biochem',
              loinc: ['2345-7'],
              priceYuan: 6,
            },
            {
              code: 'HB-HBA1C',
              name: '糖化血红蛋白',
              kind: 'lab',
              validityDays: 60,
              group: 'biochem',
              loinc: ['4548-4'],
              priceYuan: 60,
            },
          ],
        }),
      ],
      'any',
    );
    await hub.store.append(
      qualityStatusStream('H001'),
      [
        rule('QualityStatusRecorded', {
          statusId: 'eqa-h001',
          institution: 'H001',
          groups: ['biochem'],
          scheme: 'EQA',
          validFrom: '2025-01-01',
          validUntil: '2030-12-31',
        }),
      ],
      'any',
    );
    const mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
    try {
      for (const [accession, daysAgo, loinc, name] of [
        ['BR-GLU-1', 2, '2345-7', '葡萄糖'],
        ['BR-A1C-1', 5, '4548-4', '糖化血红蛋白'],
      ] as const) {
        const at = `${addDays(today, -daysAgo).replaceAll('-', '')}083000+0800`;
        const ack = await mllp.send(
          [
            `MSH|^~\\&|LIS|H001|YILIAN|HUB|${at}||ORU^R01^ORU_R01|MSG-${accession}|P|2.5.1|||||CHN|UNICODE UTF-8`,
            `PID|1||${SAMPLE_RESIDENT_ID}^^^NNCHN^NNCHN||王^小明||19491231|M`,
            `ORC|RE|${accession}|${accession}`,
            `OBR|1|${accession}|${accession}|${loinc}^${name}^LN|||${at}|||||||||^李医生||||||${at}|||F`,
            `OBX|1|NM|${loinc}^${name}^LN||5.6|mmol/L|||N|||F|||${at}`,
          ].join('\r'),
        );
        expect(ack).toMatch(/MSA\|AA\|/);
      }
    } finally {
      await mllp.close();
    }

    const doctor = await open(DESKTOP, KEYS.C002);
    await doctor.getByRole('link', { name: '患者结果互认' }).click();
    await doctor.getByLabel('号码').fill(SAMPLE_RESIDENT_ID);
    let rows = doctor.locator('tbody tr:has([data-status="recognisable"])');
    for (let i = 0; i < 50 && (await rows.count()) < 2; i++) {
      await doctor.getByRole('button', { name: '查找' }).click();
      await doctor.waitForTimeout(200);
    }
    await expect(rows.count()).resolves.toBe(2);
    await expect(doctor.getByText('调阅流水号：C002-', { exact: false }).count()).resolves.toBe(2);
    await expect(rows.first().textContent()).resolves.toContain('鄂HR');
    await accessible(doctor, 'results-recognisable-1280');

    // the newest (glucose) is recognised
    await rows.first().getByRole('button', { name: '互认', exact: true }).click();
    await doctor.getByText('已记录：互认').waitFor();
    // the HbA1c is declined: the illness has changed
    rows = doctor.locator('tbody tr:has([data-status="recognisable"])');
    await rows.nth(1).getByRole('button', { name: '不予互认' }).click();
    const form = doctor.locator('form.action-form');
    await form.getByLabel('不予互认原因').selectOption('illness-changed');
    await form.locator('textarea').fill('病情变化，需复查糖化血红蛋白');
    await accessible(doctor, 'results-decline-1280');
    await form.getByRole('button', { name: /提交/ }).click();
    await doctor.getByText('已记录：不予互认').waitFor();

    const decisions = (await hub.store.readAll({ maxCount: 10_000 })).filter(
      (e) => e.type === 'RecognitionDecisionRecorded',
    );
    expect(
      decisions.map((e) => e.data as { decision: string; reason?: { code: string }; text?: string }),
    ).toEqual([
      expect.objectContaining({ decision: 'recognised', institution: 'C002', performer: 'H001' }),
      expect.objectContaining({
        decision: 'declined',
        reason: expect.objectContaining({ code: 'illness-changed' }),
        text: '病情变化，需复查糖化血红蛋白',
      }),
    ]);
  });
});
