/**
 * `npm start`'s demo (first start only; `--no-demo` or HUB_DEMO=off skips it): an alliance of
 * three institutions of three levels, lab results at two of them, a chest CT at the third and a
 * referral in progress, and the sample recognition rules (samples/recognition: scopes, catalogue,
 * quality statuses) — so the board, the indicators and recognition show something at once.
 * Everything goes in through the hub's own front door (the operator's and the institutions'
 * credentials, HL7 v2 over HTTP, the referral JSON actions): the demo is checked like any sender.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoChestCt, demoLabReport, demoReferral, DEMO_BIOCHEMISTRY, hl7Time } from './demo-messages';
import { seedRecognitionSamples } from './demo-recognition';

export interface DemoInstitution {
  readonly code: string;
  readonly name: string;
  readonly apiKey: string;
  readonly level: 'tertiary' | 'secondary' | 'primary';
  readonly role: 'lead' | 'member';
}

export const DEMO_ALLIANCE_ID = 'demo-alliance';

export interface DemoSeed {
  readonly allianceId: string;
  readonly referralId: string;
  readonly results: readonly string[];
}

type Step = () => Promise<void>;

/** Seeds once per data dir: a marker records success; a seed cut short runs again (each step is
 * idempotent at the hub: resends answer as before, a known alliance or member is a 409). */
export async function seedDemoOnce(o: {
  dataDir: string;
  httpUrl: string;
  operatorKey: string;
  institutions: readonly DemoInstitution[];
  now: Date;
  firstStart: boolean;
}): Promise<DemoSeed | undefined> {
  const marker = join(o.dataDir, 'demo-seed.json');
  const kept = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as { done?: DemoSeed })
    : undefined;
  if (kept?.done) {
    // the sample recognition rules on every start (a data dir seeded before they existed gets
    // them; an unchanged file records nothing)
    await seedRecognitionSamples(o);
    return kept.done;
  }
  if (!kept && !o.firstStart) return undefined;
  writeFileSync(marker, JSON.stringify({ pending: o.now.toISOString() }));
  const done = await seedDemo(o);
  writeFileSync(marker, JSON.stringify({ done }, null, 2));
  return done;
}

async function seedDemo(o: {
  httpUrl: string;
  operatorKey: string;
  institutions: readonly DemoInstitution[];
  now: Date;
}): Promise<DemoSeed> {
  const [lead, secondary, community] = byLevel(o.institutions);
  const post = (path: string, key: string, body: string, type = 'application/json') =>
    call(o.httpUrl, path, key, body, type);
  const hl7 = (key: string, message: string) => post('/hl7v2', key, message, 'application/hl7-v2');

  const steps: Step[] = [
    () =>
      post(
        '/alliances',
        o.operatorKey,
        JSON.stringify({
          allianceId: DEMO_ALLIANCE_ID,
          name: '示范城市医疗集团（演示数据）',
          form: 'urban-group',
          referralResponseHours: 48,
        }),
      ).then(okOrConflict),
    ...[lead, secondary, community].map(
      (m) => () =>
        post(
          `/alliances/${DEMO_ALLIANCE_ID}/members`,
          o.operatorKey,
          JSON.stringify({ institution: m.code, name: m.name, level: m.level, role: m.role }),
        ).then(okOrConflict),
    ),
  ];
  for (const step of steps) await step();
  await seedRecognitionSamples(o);

  const results = [
    {
      by: lead,
      accession: 'DEMO-LAB-H-001',
      message: demoLabReport({
        sender: lead.code,
        accession: 'DEMO-LAB-H-001',
        collected: hl7Time(o.now, 3),
        analytes: DEMO_BIOCHEMISTRY,
      }),
    },
    {
      by: community,
      accession: 'DEMO-LAB-C-001',
      message: demoLabReport({
        sender: community.code,
        accession: 'DEMO-LAB-C-001',
        collected: hl7Time(o.now, 10),
        analytes: DEMO_BIOCHEMISTRY.slice(0, 4),
      }),
    },
    {
      by: secondary,
      accession: 'DEMO-CT-S-001',
      message: demoChestCt({
        sender: secondary.code,
        accession: 'DEMO-CT-S-001',
        performed: hl7Time(o.now, 5, 10),
      }),
    },
  ];
  for (const r of results) expectAck(await hl7(r.by.apiKey, r.message), r.accession);

  const rri = await hl7(
    community.apiKey,
    demoReferral({
      sender: community.code,
      receiver: lead.code,
      sourceId: 'DEMO-REF-001',
      at: hl7Time(o.now, 1, 14),
    }),
  );
  expectAck(rri, 'DEMO-REF-001');
  const referralId = rf1ReferralId(rri.text);
  const accepted = await post(`/referrals/${encodeURIComponent(referralId)}/accept`, lead.apiKey, '{}');
  if (accepted.status !== 200 && accepted.status !== 201 && accepted.status !== 409)
    throw new Error(`demo: accepting the referral answered ${accepted.status}: ${accepted.text}`);
  return { allianceId: DEMO_ALLIANCE_ID, referralId, results: results.map((r) => r.accession) };
}

function byLevel(
  institutions: readonly DemoInstitution[],
): [DemoInstitution, DemoInstitution, DemoInstitution] {
  const find = (level: DemoInstitution['level']) => {
    const found = institutions.find((i) => i.level === level);
    if (!found) throw new Error(`demo: no ${level} institution among the demo credentials`);
    return found;
  };
  return [find('tertiary'), find('secondary'), find('primary')];
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function call(base: string, path: string, key: string, body: string, type: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body,
  });
  return { status: res.status, text: await res.text() };
}

function okOrConflict(a: Answer): void {
  if (a.status >= 300 && a.status !== 409) throw new Error(`demo: answered ${a.status}: ${a.text}`);
}

function expectAck(a: Answer, what: string): void {
  const msa = a.text.split(/\r\n?|\n/).find((s) => s.startsWith('MSA|'));
  if (a.status !== 200 || !msa?.startsWith('MSA|AA|'))
    throw new Error(`demo: ${what} was not accepted (${a.status}): ${a.text.replace(/\r/g, '\n')}`);
}

/** RRI^I12's RF1-11: the hub's referral id. */
function rf1ReferralId(rri: string): string {
  const rf1 = rri.split(/\r\n?|\n/).find((s) => s.startsWith('RF1|'));
  const id = rf1?.split('|')[11]?.split('^')[0];
  if (!id) throw new Error(`demo: the RRI^I12 carries no referral id in RF1-11: ${rri}`);
  return id;
}
