/**
 * Recognition decisions and the ordering-time flags over the real hub (MLLP and HTTP sockets,
 * PostgreSQL): H001 (tertiary) reports K, glucose and HbA1c three days ago and glucose 40 days
 * ago; C002 (primary, which accepts a higher level's results in 鄂HR) orders glucose over
 * HL7 v2 and is told in the order response that the patient has a recognisable result; it
 * records decisions as FHIR Tasks through fhir-kit-client: one recognised (201, version 1), a
 * second decision on it (version 2), a decision on the expired report refused with the path,
 * a decline without a reason and one with 201 characters refused. X003, which has no part in the
 * patient's care, is refused 403 before anything is asked about the result (nothing recorded,
 * nothing said of it). The indicators count the decision in force.
 */
import Client from 'fhir-kit-client';
import { Pool } from 'pg';
import {
  labReportStream,
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionScopeStream,
  type fhir4,
  fhirPatientId,
} from '@yilian/contracts';
import { MllpClient } from '@yilian/hl7v2';
import { PatientKeyer, RESIDENT_ID_SYSTEM } from '@yilian/patients';
import {
  addDays,
  DECLINE_REASON_SYSTEM,
  type EligibilityAnswer,
  NOT_RECOGNISABLE_REASONS,
  RecognitionEligibility,
  recognitionIndicators,
  shanghaiDay,
} from '@yilian/recognition';
import { SAMPLE_RESIDENT_ID, ruleEvent } from '@yilian/testing';
import { eventually, KEYS, PATIENT_KEY_SECRET, startTestHub } from './hub-harness';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
const PATIENT = new PatientKeyer(PATIENT_KEY_SECRET).forResidentId(SAMPLE_RESIDENT_ID);
const today = shanghaiDay(new Date());
const hl7 = (day: string, time: string) => `${day.replaceAll('-', '')}${time}+0800`;
const DECISION = 'https://fhir.yilian.cn/CodeSystem/recognition-decision';

const rule = ruleEvent;

function oru(accession: string, day: string, obx: [string, string, string, string][]): string {
  const at = hl7(day, '083000');
  return [
    `MSH|^~\\&|LIS|H001|YILIAN|HUB|${hl7(day, '100000')}||ORU^R01^ORU_R01|MSG-${accession}|P|2.5.1|||||CHN|UNICODE UTF-8`,
    `PID|1||${SAMPLE_RESIDENT_ID}^^^NNCHN^NNCHN||王^小明||19491231|M`,
    'PV1|1|O|内科门诊',
    `ORC|RE|${accession}|${accession}`,
    `OBR|1|${accession}|${accession}|BIOCHEM^生化^L|||${at}|||||||||^李医生||||||${hl7(day, '093000')}|||F`,
    ...obx.map(
      ([code, loinc, name, value], i) =>
        `OBX|${i + 1}|NM|${code}^${name}^L^${loinc}^${name}^LN||${value}|mmol/L|||N|||F|||${at}`,
    ),
  ].join('\r');
}

function order(placer: string, obr4: string): string {
  return [
    `MSH|^~\\&|HIS|C002|YILIAN|HUB|${hl7(today, '090000')}||OML^O21^OML_O21|OML-${placer}|P|2.5.1||||||UNICODE UTF-8`,
    `PID|1||C0021^^^C002^MR~${SAMPLE_RESIDENT_ID}^^^&2.16.156.10011.1.3&ISO^NNCHN||王^小明||19491231|M`,
    'PV1|1|O|全科门诊^^^C002',
    `ORC|NW|${placer}^HIS|||SC||||${hl7(today, '085500')}|||D2001^赵^医生`,
    'TQ1|1||||||||R^Routine^HL70485',
    `OBR|1|${placer}^HIS||${obr4}|||${hl7(today, '085500')}|||||||||D2001^赵^医生`,
  ].join('\r');
}

const segments = (text: string) => text.split('\r').filter(Boolean);

describe('recognition decisions over the real hub', () => {
  let hub: Hub;
  let pool: Pool;
  let h001: MllpClient;
  let c002: MllpClient;
  let fhir: Client;
  const reportId = async (accession: string) =>
    (
      (await hub.store.readStream(labReportStream('H001', accession)))[0]!.data as {
        report: fhir4.DiagnosticReport;
      }
    ).report.id!;
  const task = (
    resource: string,
    decision: 'recognised' | 'declined',
    statusReason?: fhir4.CodeableConcept,
  ): fhir4.Task => ({
    resourceType: 'Task',
    status: 'completed',
    intent: 'order',
    code: { coding: [{ system: DECISION, code: decision }] },
    focus: { reference: resource },
    for: { reference: `Patient/${PATIENT}` },
    encounter: { identifier: { value: 'V-2026-77' } },
    owner: { identifier: { value: 'D2001' } },
    ...(statusReason ? { statusReason } : {}),
  });
  const refused = async (body: fhir4.Task) => {
    try {
      await fhir.create({ resourceType: 'Task', body });
    } catch (e) {
      const { response } = e as { response: { status: number; data: fhir4.OperationOutcome } };
      return { status: response.status, issue: response.data.issue[0]! };
    }
    throw new Error('accepted');
  };

  beforeAll(async () => {
    hub = await startTestHub('recognition_decisions');
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
          source: 'sample (鄂卫通〔2023〕56号 windows)',
          items: [
            {
              code: 'HB-K',
              name: '钾',
              kind: 'lab',
              validityDays: 7,
              group: 'biochem',
              loinc: ['2823-3'],
              priceYuan: 5,
            },
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
          scheme: '湖北省临检中心室间质评',
          validFrom: '2025-01-01',
          validUntil: '2030-12-31',
        }),
      ],
      'any',
    );
    h001 = await MllpClient.connect(hub.mllpPorts.get('H001')!);
    c002 = await MllpClient.connect(hub.mllpPorts.get('C002')!);
    fhir = new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEYS.C002}` },
    });
    // C002 has a part in the patient's care: its own full blood count (outside the catalogue)
    const cbc = oru('ACC-NEW', addDays(today, -1), [['WBC', '6690-2', '白细胞', '6.1']])
      .replaceAll('H001', 'C002')
      .replaceAll('ACC-NEW', 'C-CBC-1');
    expect(segments(await c002.send(cbc)).find((s) => s.startsWith('MSA'))).toMatch(/^MSA\|AA\|/);
    for (const message of [
      oru('ACC-NEW', addDays(today, -3), [
        ['K', '2823-3', '钾', '4.1'],
        ['GLU', '2345-7', '葡萄糖', '5.4'],
        ['HBA1C', '4548-4', '糖化血红蛋白', '5.9'],
      ]),
      oru('ACC-OLD', addDays(today, -40), [['GLU', '2345-7', '葡萄糖', '6.1']]),
    ])
      expect(segments(await h001.send(message)).find((s) => s.startsWith('MSA'))).toMatch(/^MSA\|AA\|/);
    const recognition = new RecognitionEligibility(pool);
    await eventually(
      () => recognition.eligibility({ patientKey: PATIENT, requester: 'C002', asOf: new Date() }),
      (a) => a.results.length === 3,
    );
  });
  afterAll(async () => {
    await h001?.close();
    await c002?.close();
    await pool?.end();
    await hub?.stop();
  });

  it('an order for glucose is answered with the recognisable result (header NTE); an order outside the catalogue with none', async () => {
    const glucose = segments(await c002.send(order('PO-GLU-1', '2345-7^Glucose^LN^GLU^血糖^L')));
    expect(glucose.find((s) => s.startsWith('MSA'))).toMatch(/^MSA\|AA\|/);
    const notes = glucose.filter((s) => s.startsWith('NTE'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      `PO-GLU-1 可互认结果 鄂HR 葡萄糖: DiagnosticReport/${await reportId('ACC-NEW')}`,
    );
    expect(notes[0]).toContain(`有效至 ${addDays(addDays(today, -3), 29)}`);
    const cbc = segments(await c002.send(order('PO-CBC-1', '58410-2^CBC panel^LN^CBC^血常规^L')));
    expect(cbc.filter((s) => s.startsWith('NTE'))).toEqual([]);
    // C002's part in the patient's care (what lets it decide, next test) is the order in the
    // read model: under a loaded machine the projector may still be behind the ACK
    await eventually(
      async () =>
        (
          await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM rm_orders WHERE placer_order_number = 'PO-GLU-1'`,
          )
        ).rows[0]!.n,
      (n) => n === 1,
    );
  });

  it('decisions as FHIR Tasks: recognised (201), a second decision is version 2, refusals name the path', async () => {
    const fresh = `DiagnosticReport/${await reportId('ACC-NEW')}`;
    const created = (await fhir.create({
      resourceType: 'Task',
      body: task(fresh, 'recognised'),
    })) as fhir4.Task;
    expect(created).toMatchObject({
      resourceType: 'Task',
      status: 'completed',
      meta: { versionId: '1' },
      for: { reference: `Patient/${fhirPatientId(PATIENT)}` },
    });
    expect(created.id).toMatch(/^rd-[0-9a-f]{40}$/);

    const illness = {
      coding: [{ system: DECLINE_REASON_SYSTEM, code: 'illness-changed' }],
      text: '病情变化，需复查',
    };
    const second = (await fhir.create({
      resourceType: 'Task',
      body: task(fresh, 'declined', illness),
    })) as fhir4.Task;
    expect(second).toMatchObject({ id: created.id, meta: { versionId: '2' } });

    const expired = await refused(task(`DiagnosticReport/${await reportId('ACC-OLD')}`, 'recognised'));
    expect(expired.status).toBe(422);
    expect(expired.issue.expression).toEqual(['Task.focus']);
    expect(expired.issue.diagnostics).toContain('window-passed');

    const noReason = await refused(task(fresh, 'declined'));
    expect(noReason).toMatchObject({ status: 422, issue: { expression: ['Task.statusReason.coding'] } });
    const long = await refused(task(fresh, 'declined', { ...illness, text: '病'.repeat(201) }));
    expect(long).toMatchObject({ status: 422, issue: { expression: ['Task.statusReason.text'] } });
    expect(long.issue.diagnostics).toContain('got 201');

    // the decision in force is the second (declined); the indicators count it once
    const figures = await eventually(
      () => recognitionIndicators(pool, { from: today, to: today, period: 'day' }),
      (f) => f.declined === 1,
    );
    expect(figures).toMatchObject({
      qualifying: 1,
      recognised: 0,
      declined: 1,
      declinesByReason: { 'illness-changed': 1 },
    });
  });

  it("a Task from an institution with no part in the patient's care is 403, says nothing about the result, records nothing", async () => {
    // X003 sent nothing for the patient and no referral names it; without the check its Tasks
    // would be refused with what eligibility says of each result (no shared catalogue, window passed)
    const x003 = new Client({
      baseUrl: `${hub.httpUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEYS.X003}` },
    });
    const refusedTo = async (body: fhir4.Task) => {
      try {
        await x003.create({ resourceType: 'Task', body });
      } catch (e) {
        const { response } = e as { response: { status: number; data: fhir4.OperationOutcome } };
        return { status: response.status, outcome: response.data };
      }
      throw new Error('accepted');
    };
    const fresh = `DiagnosticReport/${await reportId('ACC-NEW')}`;
    const head = await hub.store.headPosition();
    for (const body of [
      task(fresh, 'recognised'),
      task(`DiagnosticReport/${await reportId('ACC-OLD')}`, 'recognised'),
      task(fresh, 'declined', { coding: [{ system: DECLINE_REASON_SYSTEM, code: 'illness-changed' }] }),
      // the patient named by the resident ID number rather than the hub's key
      {
        ...task(fresh, 'recognised'),
        for: { identifier: { system: RESIDENT_ID_SYSTEM, value: SAMPLE_RESIDENT_ID } },
      },
      task('DiagnosticReport/no-such-report', 'recognised'),
    ]) {
      const answer = await refusedTo(body);
      expect(answer.status).toBe(403);
      expect(answer.outcome.resourceType).toBe('OperationOutcome');
      expect(answer.outcome.issue).toHaveLength(1);
      expect(answer.outcome.issue[0]).toMatchObject({
        severity: 'error',
        code: 'forbidden',
        expression: ['Task.for'],
        diagnostics:
          "institution X003 has no part in this patient's care (no result, study, order or referral of theirs names it)",
      });
      const said = JSON.stringify(answer.outcome);
      for (const word of [...NOT_RECOGNISABLE_REASONS, 'recognisable', 'DiagnosticReport', 'not a result'])
        expect(said).not.toContain(word);
    }
    // nothing recorded: no decision, no retrieval, nothing else
    expect(await hub.store.readAll(head ? { after: head } : {})).toEqual([]);
  });

  it("retrievals of H001's results by C002 get serials, gap-free, printed on what is returned (JSON, $recognisable, read)", async () => {
    const headers = { authorization: `Bearer ${KEYS.C002}`, 'content-type': 'application/json' };
    const json = (await (
      await fetch(`${hub.httpUrl}/recognition/eligibility`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ patientKey: PATIENT }),
      })
    ).json()) as EligibilityAnswer;
    const fromH001 = json.results.filter((r) => r.performer === 'H001');
    expect(fromH001).toHaveLength(2);
    expect(json.results.find((r) => r.performer === 'C002')?.retrievalSerial).toBeUndefined(); // its own
    const day = today.replaceAll('-', '');
    const serials = fromH001.map((r) => r.retrievalSerial);
    const bundle = (await fhir.operation({
      name: 'recognisable',
      resourceType: 'Patient',
      id: PATIENT,
      method: 'GET',
    })) as fhir4.Bundle;
    const stamped = (bundle.entry ?? [])
      .map((e) => e.resource as fhir4.DomainResource)
      .flatMap((r) =>
        (r.extension ?? []).filter(
          (x) => x.url === 'https://fhir.yilian.cn/StructureDefinition/retrieval-serial',
        ),
      )
      .map((x) => x.valueString);
    expect(stamped).toHaveLength(2);
    const read = (await fhir.read({
      resourceType: 'DiagnosticReport',
      id: await reportId('ACC-NEW'),
    })) as fhir4.DiagnosticReport;
    const readSerial = read.extension?.find(
      (x) => x.url === 'https://fhir.yilian.cn/StructureDefinition/retrieval-serial',
    )?.valueString;
    const all = [...serials, ...stamped, readSerial] as string[];
    expect(all.every((x) => x.startsWith(`C002-${day}-`))).toBe(true);
    expect(all.map((x) => Number(x.slice(-6))).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    const figures = await eventually(
      () => recognitionIndicators(pool, { from: today, to: today, period: 'day' }),
      (f) => f.retrievals === 5,
    );
    expect(figures.retrievals).toBe(5);
  });

  it("the console's JSON decision (201, then 200 for the same again) and the indicators as JSON and CSV", async () => {
    const headers = { authorization: `Bearer ${KEYS.C002}`, 'content-type': 'application/json' };
    const body = JSON.stringify({
      patientKey: PATIENT,
      resource: `DiagnosticReport/${await reportId('ACC-NEW')}`,
      decision: 'recognised',
    });
    const first = await fetch(`${hub.httpUrl}/recognition/decisions`, { method: 'POST', headers, body });
    expect(first.status).toBe(201);
    expect(
      ((await first.json()) as { decision: { decision: string; version: number } }).decision,
    ).toMatchObject({ decision: 'recognised', version: 1 });
    expect(
      (await fetch(`${hub.httpUrl}/recognition/decisions`, { method: 'POST', headers, body })).status,
    ).toBe(200);
    const platform = { authorization: `Bearer ${KEYS.platform}`, 'content-type': 'application/json' };
    expect(
      (await fetch(`${hub.httpUrl}/recognition/decisions`, { method: 'POST', headers: platform, body }))
        .status,
    ).toBe(403);
    const tooLong = await fetch(`${hub.httpUrl}/recognition/decisions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        patientKey: PATIENT,
        resource: `DiagnosticReport/${await reportId('ACC-NEW')}`,
        decision: 'declined',
        reason: { code: 'patient-request', text: '病'.repeat(201) },
      }),
    });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.json()).toMatchObject({ field: 'reason.text' });

    const url = `${hub.httpUrl}/recognition/indicators?from=${today}&to=${today}`;
    type Figures = { recognised: number; declined: number; moneySavedYuan: number; recognitionRate: number };
    const figures = await eventually(
      async () => (await (await fetch(url, { headers: platform })).json()) as Figures,
      (f) => f.recognised === 1,
    );
    // in force: the Task's decline (visit V-2026-77) and the console's recognition (no visit)
    expect(figures).toMatchObject({ recognised: 1, declined: 1, recognitionRate: 0.5, moneySavedYuan: 71 });
    const csv = await (await fetch(`${url}&format=csv`, { headers: platform })).text();
    expect(csv.split('\r\n')[0]).toBe(
      'period,institution,qualifying,recognised,declined,recognitionRate,retrievals,retestsAvoided,moneySavedYuan,declined:illness-changed',
    );
    expect(csv.split('\r\n')[1]).toBe(`${today},C002,2,1,1,0.5000,5,3,71.00,1`);
  });
});
