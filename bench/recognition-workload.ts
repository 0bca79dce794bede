/*
 * The workload of `npm run bench:recognition`: a province's results as the real intake records
 * them, plus the recognition rules they are judged under.
 *
 * - Lab reports: ORU^R01 v2.5.1 biochemistry panels (5 OBX each, local code + LOINC, as the LIS
 *   of libs/testing/src/lab-fixtures.ts sends them) mapped by the intake's own path —
 *   `mapOruR01Lab` → `normalizeLabReport` → the decider `recordLabReport` — into
 *   LabReportRecorded. Corrections (OBR-25 / OBX-11 `C`) are the report's second version.
 * - Imaging studies: FHIR ImagingStudy (CT / MR / DX / US, body site, DICOMweb endpoint) through
 *   `normalizeImagingStudy` → `recordImagingStudy` into ImagingStudyRecorded.
 * - Patients: keyed by resident ID number (PatientKeyer), some reports filed under an MRN only
 *   (an LIS that sends no ID number), with the PatientIdentifiersLinked event a message carrying
 *   both makes (the patient-identity decider's shape).
 * - Rules: a province scope (8 institutions of three levels), a tight alliance (registered, four
 *   members joined), a catalogue of 30 items (the LOINC codes the panels carry, imaging items),
 *   an alliance catalogue, quality statuses (EQA, imaging QC, one revoked), a code map; and
 *   mid-run a catalogue amendment (a shorter window) and a revocation, so that "as of" a moment
 *   in the middle of the data folds other rules than "now".
 */
import {
  ALLIANCE_REGISTERED,
  canonicalJson,
  allianceStream,
  codeMapStream,
  deterministicEventId,
  type fhir4,
  INSTITUTION_JOINED_ALLIANCE,
  type InstitutionLevel,
  type NewEvent,
  patientStream,
  QUALITY_STATUS_RECORDED,
  QUALITY_STATUS_REVOKED,
  qualityStatusStream,
  RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
  RECOGNITION_CODES_MAPPED,
  RECOGNITION_SCOPE_DEFINED,
  recognitionCatalogueStream,
  recognitionScopeStream,
  type CatalogueItem,
} from '@yilian/contracts';
import type { ExpectedRevision } from '@yilian/event-store';
import { type LabReportDraft, mapOruR01Lab } from '@yilian/hl7v2';
import {
  decidePatientIdentity,
  initialPatientIdentityState,
  type PatientKeyer,
  residentIdCheckCharacter,
} from '@yilian/patients';
import {
  initialImagingState,
  initialLabReportState,
  normalizeImagingStudy,
  normalizeLabReport,
  recordImagingStudy,
  recordLabReport,
  resolverByIds,
} from '@yilian/results';

/** One append: events to one stream with its expected revision. */
export interface Append {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

export const INSTITUTIONS: readonly { code: string; name: string; level: InstitutionLevel }[] = [
  { code: 'H001', name: '省人民医院', level: 'tertiary' },
  { code: 'H002', name: '市中心医院', level: 'tertiary' },
  { code: 'H003', name: '市第三医院', level: 'secondary' },
  { code: 'H004', name: '区人民医院', level: 'secondary' },
  { code: 'C101', name: '城东社区卫生服务中心', level: 'primary' },
  { code: 'C102', name: '城西社区卫生服务中心', level: 'primary' },
  { code: 'C103', name: '南湖街道社区卫生服务中心', level: 'primary' },
  { code: 'C104', name: '北塘镇卫生院', level: 'primary' },
];
/** Institutions whose LIS sends the MRN only (no resident ID number) on a share of reports. */
const MRN_ONLY_SHARE = 0.15;
/** C104's LIS sends local codes only; its code map maps them. */
const LOCAL_ONLY = 'C104';
export const ALLIANCE_ID = 'wuhan-east';
const ALLIANCE_MEMBERS = ['H001', 'H003', 'C101', 'C102'];

// [local code, LOINC, name, unit, low, high, decimals, validity days]
type Analyte = readonly [string, string, string, string, number, number, number, number];
const ANALYTES: readonly Analyte[] = [
  ['K', '2823-3', '钾', 'mmol/L', 3.5, 5.3, 2, 7],
  ['NA', '2951-2', '钠', 'mmol/L', 137, 147, 0, 7],
  ['CL', '2075-0', '氯', 'mmol/L', 99, 110, 0, 7],
  ['CA', '17861-6', '钙', 'mmol/L', 2.11, 2.52, 2, 14],
  ['MG', '19123-9', '镁', 'mmol/L', 0.75, 1.02, 2, 14],
  ['TP', '2885-2', '总蛋白', 'g/L', 65, 85, 1, 30],
  ['ALB', '1751-7', '白蛋白', 'g/L', 40, 55, 1, 30],
  ['TBIL', '1975-2', '总胆红素', 'umol/L', 0, 21, 1, 14],
  ['ALT', '1742-6', '丙氨酸氨基转移酶', 'U/L', 9, 50, 0, 14],
  ['AST', '1920-8', '天门冬氨酸氨基转移酶', 'U/L', 15, 40, 0, 14],
  ['CREA', '2160-0', '肌酐', 'umol/L', 57, 111, 0, 30],
  ['UREA', '3091-6', '尿素', 'mmol/L', 3.1, 8, 1, 30],
  ['GLU', '2345-7', '葡萄糖', 'mmol/L', 3.9, 6.1, 1, 7],
  ['TG', '2571-8', '甘油三酯', 'mmol/L', 0, 1.7, 2, 90],
  ['CHOL', '2093-3', '总胆固醇', 'mmol/L', 0, 5.2, 2, 90],
];
const PANELS: readonly { code: string; name: string; analytes: readonly Analyte[] }[] = [
  { code: 'ELEC', name: '电解质', analytes: ANALYTES.slice(0, 5) },
  { code: 'LFT', name: '肝功能', analytes: ANALYTES.slice(5, 10) },
  { code: 'RFT', name: '肾功能+血糖血脂', analytes: ANALYTES.slice(10, 15) },
];

const SNOMED = 'http://snomed.info/sct';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
// [modality, body site SNOMED code, body site name, procedure, validity days, group]
type ImagingKind = readonly [string, string, string, string, number, string];
const IMAGING: readonly ImagingKind[] = [
  ['CT', '51185008', '胸部', '胸部CT平扫', 30, 'CT'],
  ['CT', '69536005', '头部', '头颅CT平扫', 30, 'CT'],
  ['CT', '818983003', '腹部', '上腹部CT平扫', 30, 'CT'],
  ['MR', '69536005', '头部', '头颅MR平扫', 90, 'MR'],
  ['MR', '421060004', '腰椎', '腰椎MR平扫', 90, 'MR'],
  ['DX', '51185008', '胸部', '胸部正位片', 30, 'DR'],
  ['DX', '72696002', '膝关节', '膝关节正侧位片', 90, 'DR'],
  ['US', '818983003', '腹部', '肝胆胰脾彩超', 14, 'US'],
  ['US', '45048000', '颈部', '甲状腺彩超', 30, 'US'],
];

/** Small deterministic PRNG (mulberry32): the same seed gives the same workload. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** HL7 DTM in China Standard Time. */
function hl7Time(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0800`
  );
}

export interface Patient {
  readonly residentId: string;
  /** Key of the resident ID number. */
  readonly key: string;
}

export function residentId(index: number): string {
  // 420102 (Wuhan, Jiang'an) · birth day 1940-01-01 + n days · sequence
  const birth = new Date(Date.UTC(1940, 0, 1) + (index % 25_000) * 86_400_000);
  const seq = pad(Math.floor(index / 25_000) % 1000, 3);
  const first17 = `420102${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1)}${pad(birth.getUTCDate())}${seq}`;
  return first17 + residentIdCheckCharacter(first17);
}

export function mrnOf(institution: string, patientIndex: number): string {
  return `${institution.slice(0, 1)}${pad(patientIndex, 8)}`;
}

export interface ResultSpec {
  readonly patient: number;
  readonly institution: string;
  /** Lab panel index, or -1 - imaging kind index. */
  readonly kind: number;
  /** Specimen taken / study started (epoch ms). */
  readonly at: number;
  readonly accession: string;
  readonly mrnOnly: boolean;
  readonly seed: number;
}

interface LabContent {
  readonly taken: number;
  readonly reported: number;
  readonly values: readonly { readonly text: string; readonly flag: 'L' | 'N' | 'H' }[];
}

/** What a report says: when, and its values (the same for the text and the fast path). */
function labContent(r: ResultSpec, status: 'F' | 'C', force?: 'L' | 'N' | 'H'): LabContent {
  const rnd = random(r.seed * 7 + (status === 'C' ? 1 : 0));
  const reported = r.at + (2 + Math.floor(rnd() * 5)) * 3600_000;
  const values = PANELS[r.kind]!.analytes.map(([, , , , low, high, decimals]) => {
    const span = high - low || 1;
    const x = force === 'L' ? -0.1 : force === 'H' ? 1.1 : force === 'N' ? 0.5 : -0.15 + rnd() * 1.3;
    const text = (low + x * span).toFixed(decimals);
    const flag: 'L' | 'N' | 'H' = Number(text) < low ? 'L' : Number(text) > high ? 'H' : 'N';
    return { text, flag };
  });
  return { taken: r.at, reported, values };
}

/** The ORU^R01 a LIS sends for a biochemistry panel. */
export function oruText(
  r: ResultSpec,
  status: 'F' | 'C',
  controlId: string,
  c = labContent(r, status),
): string {
  const panel = PANELS[r.kind]!;
  const rid = residentId(r.patient);
  const mrn = mrnOf(r.institution, r.patient);
  const pid3 = r.mrnOnly ? `${mrn}^^^HIS^MR` : `${mrn}^^^HIS^MR~${rid}^^^NNCHN^NNCHN`;
  const taken = hl7Time(c.taken);
  const reported = hl7Time(c.reported);
  const localOnly = r.institution === LOCAL_ONLY;
  const obx = panel.analytes.map(([code, loinc, name, unit, low, high], i) => {
    const { text, flag } = c.values[i]!;
    const id = localOnly ? `${code}^${name}^L` : `${code}^${name}^L^${loinc}^${name}^LN`;
    return `OBX|${i + 1}|NM|${id}||${text}|${unit}|${low}-${high}|${flag}|||${status}|||${taken}||检验科^张三`;
  });
  return [
    `MSH|^~\\&|LIS|${r.institution}|YILIAN|HUB|${reported}||ORU^R01^ORU_R01|${controlId}|P|2.5.1|||||CHN|UNICODE UTF-8`,
    `PID|1||${pid3}||患者^${r.patient}||${rid.slice(6, 14)}|${rid.charCodeAt(16) % 2 === 1 ? 'M' : 'F'}`,
    `PV1|1|O|内科门诊`,
    `ORC|RE|${r.accession}|${r.accession}`,
    `OBR|1|${r.accession}|${r.accession}|${panel.code}^${panel.name}^L|||${taken}|||||||||^李医生||||||${reported}|||${status}`,
    ...obx,
  ].join('\r');
}

/** Patient keys by patient (and institution, for the MRN's), remembered: the keyer remembers only
 * the last 4,096 and an HMAC costs ≈10 µs. */
const keys = new WeakMap<PatientKeyer, Map<number, string>>();
export function keyOf(keyer: PatientKeyer, patient: number, mrnAt?: string): string {
  let byPatient = keys.get(keyer);
  if (!byPatient) keys.set(keyer, (byPatient = new Map()));
  const id = patient * 16 + (mrnAt ? 1 + INSTITUTIONS.findIndex((i) => i.code === mrnAt) : 0);
  let key = byPatient.get(id);
  if (key === undefined) {
    key = mrnAt ? keyer.forMrn(mrnAt, mrnOf(mrnAt, patient)) : keyer.forResidentId(residentId(patient));
    byPatient.set(id, key);
  }
  return key;
}

const receivedAtOf = (r: ResultSpec) => new Date(r.at + 6 * 3600_000).toISOString();

/** The intake's mapping of the message: parsed and mapped by `mapOruR01Lab`. */
function mappedDraft(r: ResultSpec, version: 0 | 1, force?: 'L' | 'N' | 'H'): LabReportDraft {
  const status = version === 0 ? 'F' : 'C';
  const text = oruText(r, status, `${r.accession}-${version}`, labContent(r, status, force));
  const mapped = mapOruR01Lab(text, { institution: r.institution, receivedAt: receivedAtOf(r) });
  if (!mapped.ok) throw new Error(`workload: ORU^R01 not accepted: ${JSON.stringify(mapped.errors)}`);
  if (Boolean(mapped.patient.residentId) === r.mrnOnly)
    throw new Error('workload: PID-3 not mapped as expected');
  return mapped.reports[0]!;
}

/** HL7 DTM in CST as the mapper writes it in FHIR: `2026-06-01T08:00:19+08:00`. */
function fhirCst(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The same draft without parsing: a draft the mapper made for the same institution, panel and
 * status (one per flag L / N / H), with this report's accession, times and values put where the
 * mapper puts them. `checkFastPath` proves it equal to `mappedDraft`. */
const templates = new Map<string, Record<'L' | 'N' | 'H', LabReportDraft>>();
function fastDraft(r: ResultSpec, version: 0 | 1): LabReportDraft {
  const status = version === 0 ? 'F' : 'C';
  const key = `${r.institution}|${r.kind}|${status}`;
  let t = templates.get(key);
  if (!t) {
    const at = Date.UTC(2026, 0, 1);
    const tpl = { ...r, accession: 'TPL000000', at, patient: 0, mrnOnly: false, seed: 1 };
    t = {
      L: mappedDraft(tpl, version, 'L'),
      N: mappedDraft(tpl, version, 'N'),
      H: mappedDraft(tpl, version, 'H'),
    };
    templates.set(key, t);
  }
  const c = labContent(r, status);
  const taken = fhirCst(c.taken);
  const reported = fhirCst(c.reported);
  const base = t.N;
  const report: fhir4.DiagnosticReport = {
    ...base.report,
    identifier: base.report.identifier!.map((i) => ({ ...i, value: r.accession })),
    effectiveDateTime: taken,
    issued: reported,
  };
  const observations = base.observations.map((o, i) => {
    const v = c.values[i]!;
    const like = t[v.flag].observations[i]!;
    return {
      ...like,
      id: o.id,
      effectiveDateTime: taken,
      issued: reported,
      valueQuantity: { ...like.valueQuantity, value: Number(v.text) },
    };
  });
  return { ...base, accession: r.accession, report, observations };
}

/** What the intake derives from a lab message: the LabReportRecorded (normalised and decided
 * by the intake's own functions) and the link of the MRN to the resident ID number's key when
 * the message carries both. `fast`: the draft from a template (see fastDraft), else parsed. */
export function labEvents(
  keyer: PatientKeyer,
  r: ResultSpec,
  version: 0 | 1,
  fast = true,
): { report: NewEvent; link?: { stream: string; event: NewEvent } } {
  const controlId = `${r.accession}-${version}`;
  const receivedAt = receivedAtOf(r);
  const draft = fast ? fastDraft(r, version) : mappedDraft(r, version);
  const mrnKey = keyOf(keyer, r.patient, r.institution);
  const patientKey = r.mrnOnly ? mrnKey : keyOf(keyer, r.patient);
  const normalized = normalizeLabReport({
    performer: r.institution,
    accession: draft.accession,
    patientKey,
    report: draft.report,
    observations: draft.observations,
    specimens: draft.specimens,
    resolve: resolverByIds([draft.report, ...draft.observations, ...draft.specimens]),
  });
  const source = { institution: r.institution, messageId: controlId, protocol: 'hl7v2' as const };
  const [report] = recordLabReport(
    {
      type: 'RecordLabReport',
      performer: r.institution,
      accession: draft.accession,
      patientKey,
      ...normalized,
      source,
      eventId: deterministicEventId(r.institution, 'hl7v2', controlId),
      correlationId: deterministicEventId('correlation', r.institution, controlId),
      now: receivedAt,
    },
    // a correction is decided on the first version's state; its content differs, so the
    // decider records it whatever the hash (the stream's expected revision guards the order)
    initialLabReportState,
  );
  if (!report) throw new Error('workload: the decider recorded nothing');
  if (r.mrnOnly || version !== 0) return { report };
  return { report, link: linkEvent(mrnKey, patientKey, r.institution, source, receivedAt) };
}

/** Throws unless the fast path gives, byte for byte, the events the full path (ORU^R01 text →
 * mapOruR01Lab → normalise → decide) gives, for `n` results of the plan and their corrections. */
export function checkFastPath(keyer: PatientKeyer, results: readonly ResultSpec[], n: number): number {
  let checked = 0;
  for (const r of results) {
    if (r.kind < 0) continue;
    for (const version of [0, 1] as const) {
      const slow = JSON.stringify(labEvents(keyer, r, version, false));
      const fast = JSON.stringify(labEvents(keyer, r, version, true));
      if (slow !== fast)
        throw new Error(`workload: the fast path differs for ${r.accession} v${version}:\n${slow}\n${fast}`);
      checked++;
    }
    if (checked >= n) break;
  }
  return checked;
}

/** PatientIdentifiersLinked of `memberKey` to `patientKey`, as the patient-identity handler
 * appends it (first event of `patient-{memberKey}`). */
function linkEvent(
  memberKey: string,
  patientKey: string,
  institution: string,
  source: { institution: string; messageId: string; protocol: 'hl7v2' },
  now: string,
): { stream: string; event: NewEvent } {
  const stream = patientStream(memberKey);
  const [decided] = decidePatientIdentity(
    { type: 'LinkIdentifiers', memberKey, patientKey, institution, reason: 'same-resident-id' },
    initialPatientIdentityState(),
  );
  return {
    stream,
    event: {
      id: deterministicEventId(stream, '0', decided!.type, canonicalJson(decided!.data)),
      type: decided!.type,
      schemaVersion: 1,
      data: decided!.data,
      metadata: {
        source,
        patientKey: memberKey,
        correlationId: deterministicEventId('correlation', source.institution, source.messageId),
        occurredAt: now,
      },
    },
  };
}

/** An imaging study as a PACS submits it over FHIR, through the intake's normaliser and decider. */
export function imagingEvent(keyer: PatientKeyer, r: ResultSpec): NewEvent {
  const rnd = random(r.seed * 13);
  const [modality, siteCode, siteName, procedure] = IMAGING[-1 - r.kind]!;
  const uid = `1.2.156.112605.${r.seed}.${Math.floor(r.at / 1000)}`;
  const started = new Date(r.at).toISOString().replace('Z', '+00:00');
  const series = 1 + Math.floor(rnd() * 4);
  const patientKey = keyOf(keyer, r.patient);
  const sent: fhir4.ImagingStudy = {
    resourceType: 'ImagingStudy',
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${uid}` }],
    status: 'available',
    modality: [{ system: DCM, code: modality }],
    subject: { reference: 'Patient/local' },
    started,
    numberOfSeries: series,
    numberOfInstances: series * (modality === 'CT' || modality === 'MR' ? 120 : 2),
    procedureCode: [
      {
        coding: [
          {
            system: `urn:yilian:institution:${r.institution}:procedure`,
            code: `${modality}-${siteCode}`,
            display: procedure,
          },
        ],
      },
    ],
    description: procedure,
    series: Array.from({ length: series }, (_, i) => ({
      uid: `${uid}.${i + 1}`,
      number: i + 1,
      modality: { system: DCM, code: modality },
      bodySite: { system: SNOMED, code: siteCode, display: siteName },
      numberOfInstances: modality === 'CT' || modality === 'MR' ? 120 : 2,
    })),
  };
  const endpoint: fhir4.Endpoint = {
    resourceType: 'Endpoint',
    status: 'active',
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'dicom-wado-rs',
    },
    payloadType: [{ text: 'DICOM' }],
    address: `https://pacs.${r.institution.toLowerCase()}.example.cn/dicom-web/studies/${uid}`,
  };
  const study = normalizeImagingStudy({
    performer: r.institution,
    accession: r.accession,
    patientKey,
    study: { ...sent, subject: {} },
    endpoints: [endpoint],
  });
  const messageId = r.accession;
  const [event] = recordImagingStudy(
    {
      type: 'RecordImagingStudy',
      performer: r.institution,
      accession: r.accession,
      patientKey,
      study,
      partial: false,
      source: { institution: r.institution, messageId, protocol: 'fhir' },
      eventId: deterministicEventId(r.institution, 'fhir', messageId, 'study'),
      correlationId: deterministicEventId('correlation', r.institution, messageId),
      now: new Date(r.at + 3600_000).toISOString(),
    },
    initialImagingState,
  );
  if (!event) throw new Error('workload: the imaging decider recorded nothing');
  return event;
}

// ---- rules ------------------------------------------------------------------------------------

export const PROVINCE = 'province:42';
export const ALLIANCE_SCOPE = `alliance:${ALLIANCE_ID}`;

function catalogueItems(windowFactor = 1): CatalogueItem[] {
  const lab: CatalogueItem[] = ANALYTES.map(([code, loinc, name, , , , , days]) => ({
    code: `HB-${code}`,
    name,
    kind: 'lab',
    validityDays: Math.max(1, Math.round(days * windowFactor)),
    priceYuan: 5 + (code.length % 4) * 3,
    group: 'biochemistry',
    loinc: [loinc],
  }));
  const others: CatalogueItem[] = [
    {
      code: 'HB-HBA1C',
      name: '糖化血红蛋白',
      kind: 'lab',
      validityDays: 90,
      priceYuan: 60,
      group: 'biochemistry',
      loinc: ['4548-4'],
    },
    {
      code: 'HB-CRP',
      name: 'C反应蛋白',
      kind: 'lab',
      validityDays: 3,
      priceYuan: 20,
      group: 'immunology',
      loinc: ['1988-5'],
    },
    {
      code: 'HB-WBC',
      name: '白细胞计数',
      kind: 'lab',
      validityDays: 3,
      priceYuan: 4,
      group: 'hematology',
      loinc: ['6690-2'],
    },
    {
      code: 'HB-HGB',
      name: '血红蛋白',
      kind: 'lab',
      validityDays: 7,
      priceYuan: 4,
      group: 'hematology',
      loinc: ['718-7'],
    },
    {
      code: 'HB-PLT',
      name: '血小板计数',
      kind: 'lab',
      validityDays: 3,
      priceYuan: 4,
      group: 'hematology',
      loinc: ['777-3'],
    },
    {
      code: 'HB-TSH',
      name: '促甲状腺激素',
      kind: 'lab',
      validityDays: 60,
      priceYuan: 30,
      group: 'immunology',
      loinc: ['3016-3'],
    },
  ];
  const imaging: CatalogueItem[] = IMAGING.map(([modality, siteCode, siteName, procedure, days, group]) => ({
    code: `HB-${modality}-${siteCode}`,
    name: procedure,
    kind: 'imaging',
    validityDays: Math.max(1, Math.round(days * windowFactor)),
    priceYuan: modality === 'MR' ? 500 : modality === 'CT' ? 260 : modality === 'US' ? 120 : 60,
    group,
    modalities: [modality],
    bodySites: [siteCode, siteName],
  }));
  return [...lab, ...others, ...imaging];
}

function ruleEvent(stream: string, type: string, data: unknown, n: number): Append {
  const event: NewEvent = {
    id: deterministicEventId('bench-rules', stream, String(n), type),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      source: { institution: 'H001', messageId: `rules-${n}`, protocol: 'hub' },
      correlationId: deterministicEventId('bench-rules-correlation', String(n)),
      occurredAt: '2026-06-01T00:00:00.000Z',
    },
  };
  return { stream, events: [event], expected: 'any' };
}

/** The rules first recorded, before any result. */
export function initialRules(): Append[] {
  let n = 0;
  const out: Append[] = [];
  out.push(
    ruleEvent(
      recognitionScopeStream(PROVINCE),
      RECOGNITION_SCOPE_DEFINED,
      {
        scope: PROVINCE,
        kind: 'province',
        name: '湖北省',
        mark: '鄂HR',
        higherAcceptsLower: false,
        tight: false,
        effectiveFrom: '2025-01-01',
        members: INSTITUTIONS.map((i) => ({ institution: i.code, level: i.level })),
      },
      n++,
    ),
    ruleEvent(
      allianceStream(ALLIANCE_ID),
      ALLIANCE_REGISTERED,
      {
        allianceId: ALLIANCE_ID,
        name: '武汉东部城市医疗集团',
        form: 'urban-group',
        referralResponseHours: 48,
        registeredAt: '2025-01-01T00:00:00.000Z',
      },
      n++,
    ),
    ...ALLIANCE_MEMBERS.map((code) => {
      const i = INSTITUTIONS.find((x) => x.code === code)!;
      return ruleEvent(
        allianceStream(ALLIANCE_ID),
        INSTITUTION_JOINED_ALLIANCE,
        {
          allianceId: ALLIANCE_ID,
          institution: code,
          name: i.name,
          level: i.level,
          role: code === 'H001' ? 'lead' : 'member',
          joinedAt: '2025-01-01T00:00:00.000Z',
        },
        n++,
      );
    }),
    ruleEvent(
      recognitionScopeStream(ALLIANCE_SCOPE),
      RECOGNITION_SCOPE_DEFINED,
      {
        scope: ALLIANCE_SCOPE,
        kind: 'alliance',
        name: '武汉东部城市医疗集团',
        mark: '东部HR',
        higherAcceptsLower: true,
        tight: true,
        effectiveFrom: '2025-01-01',
      },
      n++,
    ),
    ruleEvent(
      recognitionCatalogueStream(PROVINCE),
      RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
      {
        scope: PROVINCE,
        effectiveFrom: '2025-01-01',
        source: '鄂卫通〔2023〕56号 (bench sample)',
        items: catalogueItems(),
      },
      n++,
    ),
    ruleEvent(
      recognitionCatalogueStream(ALLIANCE_SCOPE),
      RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
      {
        scope: ALLIANCE_SCOPE,
        effectiveFrom: '2025-01-01',
        source: '集团互认目录 (bench sample)',
        items: catalogueItems(2).filter((i) => i.group === 'biochemistry' || i.group === 'CT'),
      },
      n++,
    ),
  );
  for (const inst of INSTITUTIONS) {
    out.push(
      ruleEvent(
        qualityStatusStream(inst.code),
        QUALITY_STATUS_RECORDED,
        {
          statusId: `EQA-2026-${inst.code}`,
          institution: inst.code,
          groups: ['biochemistry', 'hematology', 'immunology'],
          scheme: 'EQA',
          issuer: '湖北省临床检验中心',
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
        },
        n++,
      ),
    );
    if (inst.level !== 'primary')
      out.push(
        ruleEvent(
          qualityStatusStream(inst.code),
          QUALITY_STATUS_RECORDED,
          {
            statusId: `IQC-2026-${inst.code}`,
            institution: inst.code,
            groups: ['CT', 'MR', 'DR', 'US'],
            scheme: 'imaging-qc',
            issuer: '湖北省医学影像质控中心',
            validFrom: '2026-03-01',
            validUntil: '2027-02-28',
          },
          n++,
        ),
      );
  }
  out.push(
    ruleEvent(
      codeMapStream(LOCAL_ONLY),
      RECOGNITION_CODES_MAPPED,
      {
        institution: LOCAL_ONLY,
        mappings: ANALYTES.map(([code]) => ({ code, itemCode: `HB-${code}` })),
      },
      n++,
    ),
  );
  return out;
}

/** Recorded in the middle of the run: the province shortens its lab windows (an amendment from
 * 2026-09-01) and H004's imaging QC is revoked from 2026-10-01. */
export function midRunRules(): Append[] {
  return [
    ruleEvent(
      recognitionCatalogueStream(PROVINCE),
      RECOGNITION_CATALOGUE_ITEMS_PUBLISHED,
      {
        scope: PROVINCE,
        effectiveFrom: '2026-09-01',
        source: '鄂卫通〔2026〕12号 (bench sample)',
        items: catalogueItems(0.5).filter((i) => i.kind === 'lab'),
      },
      1000,
    ),
    ruleEvent(
      qualityStatusStream('H004'),
      QUALITY_STATUS_REVOKED,
      {
        statusId: 'IQC-2026-H004',
        institution: 'H004',
        revokedFrom: '2026-10-01',
        reason: '影像质控复评不合格',
      },
      1001,
    ),
  ];
}

export const LAB_PANELS = PANELS.length;
export const IMAGING_KINDS = IMAGING.length;

// ---- the plan: who has which result, where, when --------------------------------------------

export interface PlanOptions {
  readonly events: number;
  readonly patients: number;
  readonly samples: number;
  readonly resultsPerSample: number;
  /** Results' specimen / study times fall in [from, to) (epoch ms). */
  readonly from: number;
  readonly to: number;
  readonly seed?: number;
  /** Link events per result, to size the plan (measured by a first plan; default 0.25). */
  readonly linksPerResult?: number;
}

export interface Plan {
  /** Every result's first version, in log order (by time). */
  readonly results: ResultSpec[];
  /** Indexes into `results` of the lab reports that get a corrected second version. */
  readonly corrected: ReadonlySet<number>;
  /** Patient indexes of the sample patients (exactly `resultsPerSample` results each). */
  readonly samples: readonly number[];
  /** Link events expected (first report carrying both identifiers, per patient and institution). */
  readonly links: number;
}

const CORRECTED_SHARE = 0.03;
/** Rule events the run appends (initialRules + midRunRules). */
export const RULE_EVENTS = 30;
const IMAGING_SHARE = 0.1;
/** Each patient's results mostly come from a few "home" institutions. */
function homes(patient: number): string[] {
  const rnd = random(patient * 2654435761);
  const n = 1 + Math.floor(rnd() * 3);
  const out = new Set<string>();
  while (out.size < n) out.add(INSTITUTIONS[Math.floor(rnd() * INSTITUTIONS.length)]!.code);
  return [...out];
}

/** Events the plan appends besides the rules: results, corrections and links. A patient's
 * first report at an institution carries both identifiers (and makes the link); later ones there
 * may carry the MRN only. */
export function plan(o: PlanOptions): Plan {
  const rnd = random(o.seed ?? 20261206);
  const samples: number[] = [];
  const step = o.patients / o.samples;
  for (let i = 0; i < o.samples; i++) samples.push(Math.floor(i * step + rnd() * step * 0.5));
  const sampleSet = new Set(samples);
  const specs: { patient: number; institution: string; kind: number; at: number }[] = [];
  const homeOf: (string[] | undefined)[] = new Array<string[] | undefined>(o.patients);
  const pick = (patient: number) => {
    const h = (homeOf[patient] ??= homes(patient));
    return rnd() < 0.85
      ? h[Math.floor(rnd() * h.length)]!
      : INSTITUTIONS[Math.floor(rnd() * INSTITUTIONS.length)]!.code;
  };
  const kind = () =>
    rnd() < IMAGING_SHARE ? -1 - Math.floor(rnd() * IMAGING.length) : Math.floor(rnd() * PANELS.length);
  const span = o.to - o.from;
  for (const p of samples)
    for (let j = 0; j < o.resultsPerSample; j++)
      // spread over the whole period (and so over the whole log)
      specs.push({
        patient: p,
        institution: pick(p),
        kind: kind(),
        at: o.from + ((j + rnd()) / o.resultsPerSample) * span,
      });
  // Each result is ≈ 1 + CORRECTED_SHARE·0.9 events, plus a link for ≈ each (patient, home).
  const linksPerResult = o.linksPerResult ?? 0.25;
  const budget = Math.max(0, o.events - RULE_EVENTS - specs.length * (1 + linksPerResult));
  const others = Math.floor(budget / (1 + CORRECTED_SHARE * (1 - IMAGING_SHARE) + linksPerResult));
  for (let j = 0; j < others; j++) {
    let p = Math.floor(rnd() * o.patients);
    while (sampleSet.has(p)) p = Math.floor(rnd() * o.patients);
    specs.push({ patient: p, institution: pick(p), kind: kind(), at: o.from + rnd() * span });
  }
  // by time: (whole seconds since `from`) · 2^21 + index, sorted as numbers (a comparator over
  // a million objects took seconds)
  if (specs.length >= 2 ** 21) throw new Error('plan: at most 2,097,151 results');
  const order = new Float64Array(specs.length);
  specs.forEach((s, i) => (order[i] = Math.floor((s.at - o.from) / 1000) * 2 ** 21 + i));
  order.sort();
  const sorted = Array.from(order, (x) => specs[x % 2 ** 21]!);
  const seen = new Set<number>();
  const institutionIndex = new Map(INSTITUTIONS.map((x, i) => [x.code, i]));
  let links = 0;
  const results: ResultSpec[] = new Array<ResultSpec>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    const pair = s.patient * 16 + institutionIndex.get(s.institution)!;
    const first = !seen.has(pair);
    const lab = s.kind >= 0;
    if (lab && first) {
      seen.add(pair);
      links++;
    }
    results[i] = {
      patient: s.patient,
      institution: s.institution,
      kind: s.kind,
      at: Math.floor(s.at),
      accession: `${lab ? 'L' : 'I'}${String(i).padStart(9, '0')}`,
      mrnOnly: lab && !first && rnd() < MRN_ONLY_SHARE,
      seed: i + 1,
    };
  }
  const corrected = new Set<number>();
  results.forEach((r, i) => {
    if (r.kind >= 0 && rnd() < CORRECTED_SHARE) corrected.add(i);
  });
  return { results, corrected, samples, links };
}
