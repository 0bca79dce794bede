/**
 * The duplicate-test alert at ordering time, end to end: the hub (intake + projector +
 * platform-api on real PostgreSQL), recognition rules appended to its event store, lab results
 * sent as HL7 v2 ORU^R01 over MLLP by institutions A (H001, tertiary) and C (X003, secondary),
 * and B (C002, a community centre) asking through CDS Hooks 2.0 with a client that speaks the
 * spec. Three draft orders — glucose (A's result, valid), ALT (only C's result, 40 days old:
 * expired) and a blood count (not in the catalogue) — get exactly one card.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { Pool } from 'pg';
import { hashApiKey } from '@yilian/config';
import {
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionDecisionStream,
  recognitionScopeStream,
} from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer } from '@yilian/patients';
import { addDays, recognitionIndicators, shanghaiDay } from '@yilian/recognition';
import { oruR01, SAMPLE_RESIDENT_ID, ruleEvent } from '@yilian/testing';
import { CdsHooksClient, cardProblems } from './cds-hooks-client';
import { eventually, KEYS, PATIENT_KEY_SECRET, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Card = Record<string, unknown> & {
  uuid: string;
  summary: string;
  detail: string;
  indicator: string;
  source: { label: string };
  suggestions: { label: string; uuid: string; isRecommended: boolean; actions: Record<string, unknown>[] }[];
  selectionBehavior: string;
  overrideReasons: { system: string; code: string; display: string }[];
  links: { label: string; url: string; type: string }[];
};

const SELECT = 'recognition-duplicate-test-select';
const SIGN = 'recognition-duplicate-test-sign';
const DECLINE = 'https://fhir.yilian.cn/CodeSystem/recognition-decline-reason';
const patientKey = new PatientKeyer(PATIENT_KEY_SECRET).forResidentId(SAMPLE_RESIDENT_ID);

const rule = ruleEvent;

/** `YYYYMMDDHHMMSS+0800` of `day` (Asia/Shanghai) at 08:00. */
const hl7At = (day: string, hhmmss: string) => `${day.replace(/-/g, '')}${hhmmss}+0800`;

/** The ORU fixture with its specimen, result and message times moved to `day`. */
function oruOn(day: string, opts: Parameters<typeof oruR01>[0]): string {
  return oruR01(opts).replace(/20261123(\d{6})\+0800/g, (_m, t: string) => hl7At(day, t));
}

function draft(id: string, loinc: string, display: string) {
  return {
    resource: {
      resourceType: 'ServiceRequest',
      id,
      status: 'draft',
      intent: 'order',
      category: [
        {
          coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: loinc, display }], text: display },
      subject: { reference: `Patient/${patientKey}` },
    },
  };
}

function orderSelect(
  selections = ['ServiceRequest/sr-glu', 'ServiceRequest/sr-alt', 'ServiceRequest/sr-cbc'],
) {
  return {
    hook: 'order-select',
    hookInstance: randomUUID(),
    context: {
      userId: 'Practitioner/c002-dr-li',
      patientId: patientKey,
      encounterId: 'c002-visit-1',
      selections,
      draftOrders: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          draft('sr-glu', '2345-7', '葡萄糖'),
          draft('sr-alt', '1742-6', '丙氨酸氨基转移酶'),
          draft('sr-cbc', '58410-2', '血常规'),
        ],
      },
    },
  };
}

describe('CDS Hooks 2.0 duplicate-test alert (three institutions, HL7 v2 over MLLP, real PostgreSQL)', () => {
  let hub: Hub;
  let pool: Pool;
  const today = shanghaiDay(new Date());
  const recentDay = addDays(today, -2);
  const oldDay = addDays(today, -40);
  const b = () => new CdsHooksClient(hub.httpUrl, KEYS.C002, { 'x-purpose-of-use': 'TREAT' });
  let glucoseReportId: string;
  let ehrKey: { privateKey: KeyLike; publicKey: KeyLike };
  /** The CDS client's bearer JWT (CDS Hooks 2.0: iss its FHIR server, sub its client_id). */
  const ehrJwt = (aud: string, jti = randomUUID()) =>
    new SignJWT({ jti })
      .setProtectedHeader({ alg: 'ES384', kid: 'ehr-c002-1', typ: 'JWT' })
      .setIssuer('https://ehr.example/fhir')
      .setSubject('his-c002')
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(ehrKey.privateKey);

  beforeAll(async () => {
    // C002's EHR also registered as a CDS client with its public key (Trusting CDS Clients)
    ehrKey = await generateKeyPair('ES384');
    const jwks = { keys: [{ ...(await exportJWK(ehrKey.publicKey)), kid: 'ehr-c002-1', alg: 'ES384' }] };
    hub = await startTestHub(
      'cds_hooks',
      undefined,
      JSON.stringify([
        { name: 'regional-platform', apiKeySha256: hashApiKey(KEYS.platform), role: 'platform' },
        { name: 'his-c002', role: 'institution', institution: 'C002', jwks },
      ]),
    );
    pool = new Pool({ connectionString: hub.databaseUrl, max: 2 });
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
            { institution: 'X003', level: 'secondary' },
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
          source: '鄂卫通〔2023〕56号',
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
              code: 'HB-ALT',
              name: '丙氨酸氨基转移酶',
              kind: 'lab',
              validityDays: 7,
              group: 'biochem',
              loinc: ['1742-6'],
              priceYuan: 5,
            },
          ],
        }),
      ],
      'any',
    );
    for (const institution of ['H001', 'X003'])
      await hub.store.append(
        qualityStatusStream(institution),
        [
          rule('QualityStatusRecorded', {
            statusId: `eqa-${institution}`,
            institution,
            groups: ['biochem'],
            scheme: '湖北省临床检验中心室间质评',
            validFrom: '2025-01-01',
            validUntil: '2027-12-31',
          }),
        ],
        'any',
      );

    const send = async (institution: string, message: string) => {
      const mllp = await MllpClient.connect(hub.mllpPorts.get(institution)!);
      try {
        const ack = await mllp.send(message);
        expect(
          ack
            .split('\r')
            .find((s) => s.startsWith('MSA|'))
            ?.split('|')[1],
        ).toBe('AA');
      } finally {
        await mllp.close();
      }
    };
    // A: K … glucose two days ago; C: K … ALT forty days ago; B: its own potassium (B's part in the patient's care)
    await send(
      'H001',
      oruOn(recentDay, { controlId: 'A-1', accession: 'A-GLU-1', residentId: SAMPLE_RESIDENT_ID, count: 6 }),
    );
    await send(
      'X003',
      oruOn(oldDay, { controlId: 'C-1', accession: 'C-LFT-1', residentId: SAMPLE_RESIDENT_ID, count: 10 }),
    );
    await send(
      'C002',
      oruOn(today, { controlId: 'B-1', accession: 'B-K-1', residentId: SAMPLE_RESIDENT_ID, count: 1 }),
    );
    const { rows } = await eventually(
      () =>
        pool.query<{ resource_id: string; performer: string }>(
          `SELECT record->>'resourceId' AS resource_id, record->>'performer' AS performer FROM rm_recognition_results WHERE patient_key = $1`,
          [patientKey],
        ),
      (r) => r.rows.length >= 3,
    );
    expect(rows).toHaveLength(3);
    glucoseReportId = rows.find((r) => r.performer === 'H001')!.resource_id;
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await hub?.stop();
  });

  it('discovery: order-select and order-sign services, per the spec, asking no prefetch (the hub answers from its own results)', async () => {
    const { services } = await new CdsHooksClient(hub.httpUrl).discover();
    expect(services.map((s) => [s.hook, s.id])).toEqual([
      ['order-select', SELECT],
      ['order-sign', SIGN],
    ]);
    for (const s of services) expect(s.prefetch).toBeUndefined();
  });

  it('order-select at B with three drafts (valid result, expired result, not in the catalogue) → exactly one card, field by field', async () => {
    const answer = await b().call<{ cards: Card[] }>(SELECT, orderSelect());
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.cards).toHaveLength(1);
    const card = answer.body.cards[0]!;
    expect(cardProblems(card, 'card')).toEqual([]);
    expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card.summary).toBe(
      `已有可互认检验结果：葡萄糖（鄂HR，第一人民医院 ${recentDay}，有效至 ${addDays(recentDay, 29)}）`,
    );
    expect(card.indicator).toBe('warning');
    expect(card.source).toEqual({ label: 'Yilian 检查检验结果互认' });
    const url = `${hub.httpUrl}/fhir/DiagnosticReport/${glucoseReportId}`;
    expect(card.detail).toContain(`- 结果：[DiagnosticReport/${glucoseReportId}](${url})`);
    expect(card.detail).toContain('- 检验机构：第一人民医院（H001）');
    expect(card.detail).toContain(`- 日期：${recentDay}`);
    expect(card.detail).toContain('- 互认标识：鄂HR（province:42）');
    expect(card.detail).toContain(`- 有效至：${addDays(recentDay, 29)}`);
    expect(card.detail).toContain('ServiceRequest/sr-glu');
    expect(card.selectionBehavior).toBe('at-most-one');
    expect(card.suggestions).toHaveLength(1);
    expect(card.suggestions[0]).toMatchObject({ isRecommended: true });
    expect(card.suggestions[0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card.suggestions[0]!.actions).toEqual([
      {
        type: 'delete',
        description: expect.stringContaining('ServiceRequest/sr-glu'),
        resourceId: 'ServiceRequest/sr-glu',
      },
    ]);
    expect(card.links).toEqual([
      { label: `查看结果 DiagnosticReport/${glucoseReportId}`, url, type: 'absolute' },
    ]);
    expect(card.overrideReasons.map((r) => [r.system, r.code])).toEqual(
      [
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
      ].map((c) => [DECLINE, c]),
    );
    // the ALT order had a result — C's, judged expired (not unmatched): that is why it has no card
    const eligibility = await fetch(`${hub.httpUrl}/recognition/eligibility`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.C002}`, 'content-type': 'application/json' },
      body: JSON.stringify({ patientKey }),
    });
    const judged = (await eligibility.json()) as {
      results: {
        performer: string;
        items: { item: { catalogueItemCode: string }; status: string; reasons: string[] }[];
      }[];
    };
    const alt = judged.results
      .find((r) => r.performer === 'X003')!
      .items.find((i) => i.item.catalogueItemCode === 'HB-ALT');
    expect(alt).toMatchObject({ status: 'not-recognisable', reasons: ['window-passed'] });
    // the link is the platform's FHIR read of that very report
    const read = await fetch(card.links[0]!.url, { headers: { authorization: `Bearer ${KEYS.C002}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { id: string }).id).toBe(glucoseReportId);
  });

  it('order-sign looks at every draft; order-select only at the selections', async () => {
    const sign = {
      ...orderSelect(),
      hook: 'order-sign',
      context: { ...orderSelect().context, selections: undefined },
    };
    const signed = await b().call<{ cards: Card[] }>(SIGN, sign);
    expect(signed.status).toBe(200);
    expect(signed.body.cards.map((c) => c.suggestions[0]!.actions[0]!['resourceId'])).toEqual([
      'ServiceRequest/sr-glu',
    ]);
    const others = await b().call<{ cards: Card[] }>(
      SELECT,
      orderSelect(['ServiceRequest/sr-alt', 'ServiceRequest/sr-cbc']),
    );
    expect(others.body.cards).toEqual([]);
  });

  it('every answer that read the results is an access record: the institution, the purpose, the result the card showed', async () => {
    await pool.query('DELETE FROM pa_access_log');
    await b().call(SELECT, orderSelect());
    const { rows } = await eventually(
      () =>
        pool.query<{
          actor: string;
          purpose: string;
          patient_key: string;
          interaction: string;
          resources: string[];
          client_institution: string;
          outcome: string;
        }>(
          `SELECT actor, purpose, patient_key, interaction, resources, client_institution, outcome FROM pa_access_log`,
        ),
      (r) => r.rows.length >= 1,
    );
    expect(rows).toEqual([
      {
        actor: 'institution-C002',
        purpose: 'TREAT',
        patient_key: patientKey,
        interaction: 'recognisable',
        resources: [`DiagnosticReport/${glucoseReportId}`],
        client_institution: 'C002',
        outcome: 'success',
      },
    ]);
  });

  it('answers in CDS Hooks terms: 400 with the reason, 404 unknown service, 401 without a key, 403 for a platform key', async () => {
    const bad = await b().call<{ issue: { diagnostics: string; expression: string[] }[] }>(SELECT, {
      ...orderSelect(),
      hookInstance: 'not-a-uuid',
    });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/^application\/json/);
    expect(bad.body.issue[0]!.expression).toEqual(['hookInstance']);
    expect(bad.body.issue[0]!.diagnostics).toBe('hookInstance: expected a UUID');
    const noSelections = await b().call<{ issue: { expression: string[] }[] }>(SELECT, {
      ...orderSelect(),
      context: { ...orderSelect().context, selections: undefined },
    });
    expect([noSelections.status, noSelections.body.issue[0]!.expression]).toEqual([
      400,
      ['context.selections'],
    ]);
    const notJson = await b().post(SELECT, '{"hook":');
    expect(notJson.status).toBe(400);
    expect((await b().call('no-such-service', orderSelect())).status).toBe(404);
    expect((await new CdsHooksClient(hub.httpUrl).call(SELECT, orderSelect())).status).toBe(401);
    // "Trusting CDS Clients": a JWT of a client never registered — 401 saying so
    const jwt = [
      { alg: 'ES384', typ: 'JWT', kid: 'ehr-1' },
      { iss: 'https://ehr.example', aud: `${hub.httpUrl}/cds-services/${SELECT}`, jti: randomUUID() },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .concat('c2lnbmF0dXJl')
      .join('.');
    const withJwt = await new CdsHooksClient(hub.httpUrl, jwt).call<{ issue: { diagnostics: string }[] }>(
      SELECT,
      orderSelect(),
    );
    expect(withJwt.status).toBe(401);
    expect(withJwt.body.issue[0]!.diagnostics).toMatch(/JWT/);
    expect((await new CdsHooksClient(hub.httpUrl, KEYS.platform).call(SELECT, orderSelect())).status).toBe(
      403,
    );
  });

  it('trusts a CDS client by its signed JWT (Trusting CDS Clients): the same cards as with the key; a replay or another aud is 401', async () => {
    const url = `${hub.httpUrl}/cds-services/${SELECT}`;
    const withKey = await b().call<{ cards: { summary: string }[] }>(SELECT, orderSelect());
    const signed = await ehrJwt(url);
    const withJwt = await new CdsHooksClient(hub.httpUrl, signed, { 'x-purpose-of-use': 'TREAT' }).call<{
      cards: { summary: string }[];
    }>(SELECT, orderSelect());
    expect(withJwt.status).toBe(200);
    expect(withJwt.body.cards.map((c) => c.summary)).toEqual(withKey.body.cards.map((c) => c.summary));
    expect(withJwt.body.cards.length).toBeGreaterThan(0);
    const again = await new CdsHooksClient(hub.httpUrl, signed).call<{ issue: { diagnostics: string }[] }>(
      SELECT,
      orderSelect(),
    );
    expect([again.status, again.body.issue[0]!.diagnostics]).toEqual([
      401,
      expect.stringMatching(/already used/),
    ]);
    const elsewhere = await new CdsHooksClient(
      hub.httpUrl,
      await ehrJwt('https://other.example/cds-services/x'),
    ).call<{
      issue: { diagnostics: string }[];
    }>(SELECT, orderSelect());
    expect([elsewhere.status, elsewhere.body.issue[0]!.diagnostics]).toEqual([
      401,
      expect.stringMatching(/aud must be/),
    ]);
  });

  it('CORS for a browser-based CDS client: a preflight of the call is allowed, every answer (an error too) names the origin', async () => {
    const preflight = await fetch(`${hub.httpUrl}/cds-services/${SELECT}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://ehr.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(['authorization', 'content-type'].filter((h) => !allowed.includes(h))).toEqual([]);
    const discovery = await fetch(`${hub.httpUrl}/cds-services`, {
      headers: { origin: 'https://ehr.example' },
    });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await fetch(`${hub.httpUrl}/cds-services/${SELECT}`, {
      method: 'POST',
      headers: { origin: 'https://ehr.example', 'content-type': 'application/json' },
      body: JSON.stringify(orderSelect()),
    });
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([401, '*']);
  });

  /** A card for B's glucose order, issued in `encounter`. */
  async function cardIn(encounter: string): Promise<Card> {
    const request = orderSelect();
    const answer = await b().call<{ cards: Card[] }>(SELECT, {
      ...request,
      context: { ...request.context, encounterId: encounter },
    });
    expect(answer.body.cards).toHaveLength(1);
    return answer.body.cards[0]!;
  }
  const decisionsIn = (encounter: string) =>
    pool.query<{
      institution: string;
      resource: string;
      decision: string;
      reason_code: string | null;
      version: number;
      result_stream: string;
    }>(
      `SELECT institution, resource, decision, reason_code, version, result_stream
         FROM rm_recognition_decisions WHERE encounter = $1`,
      [encounter],
    );
  const todays = () => recognitionIndicators(pool, { from: today, to: today, period: 'day' });

  it('feedback accepted → the result recognised by B: one decision in the read model and the indicators', async () => {
    const card = await cardIn('c002-visit-2');
    const ok = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: card.suggestions[0]!.uuid }],
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    });
    expect([ok.status, ok.body]).toEqual([200, {}]);
    const { rows } = await eventually(
      () => decisionsIn('c002-visit-2'),
      (r) => r.rows.length >= 1,
    );
    expect(rows).toEqual([
      {
        institution: 'C002',
        resource: `DiagnosticReport/${glucoseReportId}`,
        decision: 'recognised',
        reason_code: null,
        version: 1,
        result_stream: expect.any(String),
      },
    ]);
    const figures = await eventually(todays, (f) => f.recognised >= 1);
    expect(figures).toMatchObject({ recognised: 1, declined: 0 });
  });

  it('feedback overridden with a national reason and a comment → declined with that reason', async () => {
    const card = await cardIn('c002-visit-3');
    const reason = card.overrideReasons.find((r) => r.code === 'illness-changed')!;
    const ok = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason, userComment: '病情变化，需复查血糖' },
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    });
    expect([ok.status, ok.body]).toEqual([200, {}]);
    const { rows } = await eventually(
      () => decisionsIn('c002-visit-3'),
      (r) => r.rows.length >= 1,
    );
    expect(rows).toMatchObject([
      { institution: 'C002', decision: 'declined', reason_code: 'illness-changed', version: 1 },
    ]);
    const figures = await eventually(todays, (f) => f.declined >= 1);
    expect(figures).toMatchObject({
      recognised: 1,
      declined: 1,
      declinesByReason: { 'illness-changed': 1 },
    });
  });

  it('feedback refused, nothing recorded: a card the hub never issued (404), another institution (403), a long comment (400)', async () => {
    const card = await cardIn('c002-visit-4');
    const accepted = {
      card: card.uuid,
      outcome: 'accepted',
      acceptedSuggestions: [{ id: card.suggestions[0]!.uuid }],
      outcomeTimestamp: new Date().toISOString(),
    };
    type Outcome = { issue: { diagnostics: string; expression: string[] }[] };
    // a valid entry and one for a card never issued: the whole request is refused, the valid one too
    const unknown = await b().feedback(SELECT, {
      feedback: [accepted, { ...accepted, card: randomUUID() }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^application\/json/);
    expect((unknown.body as Outcome).issue[0]!.expression).toEqual(['feedback[1].card']);
    // H001 has a part in the patient's care, but the card was issued to C002
    const other = await new CdsHooksClient(hub.httpUrl, KEYS.H001).feedback(SELECT, { feedback: [accepted] });
    expect(other.status).toBe(403);
    expect((other.body as Outcome).issue[0]!.diagnostics).toContain('issued to another institution');
    // the other service never issued it
    expect((await b().feedback(SIGN, { feedback: [accepted] })).status).toBe(404);
    const reason = card.overrideReasons.find((r) => r.code === 'emergency')!;
    const long = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason, userComment: '病'.repeat(201) },
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    });
    expect(long.status).toBe(400);
    expect((long.body as Outcome).issue[0]!.expression).toEqual(['feedback[0].overrideReason.userComment']);
    const noReason = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { userComment: '不需要' },
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    });
    expect([noReason.status, (noReason.body as Outcome).issue[0]!.expression]).toEqual([
      400,
      ['feedback[0].overrideReason.reason'],
    ]);
    const { rows } = await pool.query<{ stream: string }>(
      `SELECT result_stream AS stream FROM rm_recognition_decisions WHERE encounter = 'c002-visit-2'`,
    );
    expect(
      await hub.store.readStream(recognitionDecisionStream('C002', rows[0]!.stream, 'c002-visit-4')),
    ).toEqual([]);
  });

  it('feedback per the spec: accepted and overridden with a decline reason → 200; an off-spec body → 400', async () => {
    const { body } = await b().call<{ cards: Card[] }>(SELECT, orderSelect());
    const card = body.cards[0]!;
    const reason = card.overrideReasons.find((r) => r.code === 'emergency')!;
    const ok = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: card.suggestions[0]!.uuid }],
          outcomeTimestamp: new Date().toISOString(),
        },
        {
          card: card.uuid,
          outcome: 'overridden',
          overrideReason: { reason, userComment: '急诊抢救，需即刻复查' },
          outcomeTimestamp: '2026-12-06T02:05:31Z',
        },
      ],
    });
    expect(ok.status).toBe(200);
    // both entries applied, in the order sent: the decline is version 2 of visit 1's decision
    const { rows } = await eventually(
      () => decisionsIn('c002-visit-1'),
      (r) => r.rows[0]?.version === 2,
    );
    expect(rows).toMatchObject([{ decision: 'declined', reason_code: 'emergency', version: 2 }]);
    const off = await b().feedback(SELECT, {
      feedback: [{ card: card.uuid, outcome: 'dismissed', outcomeTimestamp: '2026-12-06T02:05:31Z' }],
    });
    expect(off.status).toBe(400);
    expect((off.body as { issue: { expression: string[] }[] }).issue[0]!.expression).toEqual([
      'feedback[0].outcome',
    ]);
    expect((await b().feedback('no-such-service', { feedback: [] })).status).toBe(404);
  });
  // last: it takes H001's glucose out of recognition for the rest of this file
  it("feedback on a card whose result is no longer recognisable → 422 with the decider's reason, nothing recorded", async () => {
    const card = await cardIn('c002-visit-5');
    await hub.store.append(
      qualityStatusStream('H001'),
      [
        rule('QualityStatusRevoked', {
          statusId: 'eqa-H001',
          institution: 'H001',
          revokedFrom: recentDay,
          reason: '室间质评不合格',
        }),
      ],
      'any',
    );
    await new Promise((r) => setTimeout(r, 1100)); // the CDS eligibility looks at the rules once a second
    const refused = await b().feedback(SELECT, {
      feedback: [
        {
          card: card.uuid,
          outcome: 'accepted',
          acceptedSuggestions: [{ id: card.suggestions[0]!.uuid }],
          outcomeTimestamp: new Date().toISOString(),
        },
      ],
    });
    expect(refused.status).toBe(422);
    const issue = (refused.body as { issue: { diagnostics: string; expression: string[] }[] }).issue[0]!;
    expect(issue.expression).toEqual(['feedback[0].card']);
    expect(issue.diagnostics).toContain('is not recognisable for C002 now');
    const { rows } = await pool.query<{ stream: string }>(
      `SELECT result_stream AS stream FROM rm_recognition_decisions WHERE encounter = 'c002-visit-2'`,
    );
    expect(
      await hub.store.readStream(recognitionDecisionStream('C002', rows[0]!.stream, 'c002-visit-5')),
    ).toEqual([]);
  });
});
