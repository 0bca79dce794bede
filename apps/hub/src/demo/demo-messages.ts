/**
 * The demo's messages, as a member's LIS, RIS and HIS would send them (HL7 v2.5.1, CR-separated),
 * dated relative to the moment `npm start` seeds them. Demo data: the patient and the
 * institutions are invented and say so in their names.
 */

/** A valid resident ID number (GB 11643) invented for the demo patient. */
export const DEMO_RESIDENT_ID = '420102195506202048';
const DEMO_PATIENT = `PID|1||${DEMO_RESIDENT_ID}^^^NNCHN^NNCHN||演示^患者（演示数据）||19550620|F`;

/** HL7 v2 DTM in China Standard Time, `days` before `now`. */
export function hl7Time(now: Date, daysBefore: number, hour = 9): string {
  const t = new Date(now.getTime() - daysBefore * 86_400_000);
  const local = new Date(t.getTime() + 8 * 3_600_000); // UTC+8, no daylight saving
  const p = (n: number) => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}${p(local.getUTCMonth() + 1)}${p(local.getUTCDate())}${p(hour)}0000+0800`;
}

function msh(sender: string, type: string, controlId: string, at: string): string {
  return `MSH|^~\\&|DEMO|${sender}|YILIAN|HUB|${at}||${type}|${controlId}|P|2.5.1|||||CHN|UNICODE UTF-8`;
}

/** [local code, LOINC, name, unit, value, reference range] */
type Analyte = readonly [string, string, string, string, number, string];
export const DEMO_BIOCHEMISTRY: readonly Analyte[] = [
  ['K', '2823-3', '钾', 'mmol/L', 4.2, '3.5-5.3'],
  ['NA', '2951-2', '钠', 'mmol/L', 139, '137-147'],
  ['CL', '2075-0', '氯', 'mmol/L', 101, '99-110'],
  ['GLU', '2345-7', '葡萄糖', 'mmol/L', 6.8, '3.9-6.1'],
  ['TP', '2885-2', '总蛋白', 'g/L', 68, '65-85'],
  ['ALB', '1751-7', '白蛋白', 'g/L', 41, '40-55'],
  ['HBA1C', '4548-4', '糖化血红蛋白', '%', 7.1, '4.0-6.0'],
];

export function demoLabReport(o: {
  sender: string;
  accession: string;
  collected: string;
  analytes: readonly Analyte[];
}): string {
  const obx = o.analytes.map(([code, loinc, name, unit, value, range], i) => {
    const [low, high] = range.split('-').map(Number);
    const flag = value < low! ? 'L' : value > high! ? 'H' : 'N';
    return `OBX|${i + 1}|NM|${code}^${name}^L^${loinc}^${name}^LN||${value}|${unit}|${range}|${flag}|||F|||${o.collected}||检验科^演示`;
  });
  return [
    msh(o.sender, 'ORU^R01^ORU_R01', `DEMO-${o.accession}`, o.collected),
    DEMO_PATIENT,
    'PV1|1|O|内科门诊',
    `ORC|RE|${o.accession}|${o.accession}`,
    `OBR|1|${o.accession}|${o.accession}|BIOCHEM^生化检验^L|||${o.collected}|||||||||^演示医生||||||${o.collected}|||F`,
    ...obx,
  ].join('\r');
}

export function demoChestCt(o: { sender: string; accession: string; performed: string }): string {
  const uid = `1.2.156.112605.999.${o.performed.slice(0, 14)}.1`;
  return [
    msh(o.sender, 'ORU^R01^ORU_R01', `DEMO-${o.accession}`, o.performed),
    DEMO_PATIENT,
    `PV1|1|O|放射科^^^${o.sender}`,
    `ORC|RE|${o.accession}|${o.accession}^${o.sender}||CM`,
    `OBR|1|${o.accession}|${o.accession}^${o.sender}|CT0101^胸部CT平扫^L|||${o.performed}||||||||^^^XB01&胸部&L|^演示^医生||${o.accession}||||${o.performed}||CT|F|||||||D0001&演示&影像`,
    'OBX|1|TX|GDT^影像所见^L||双肺纹理清晰，未见明确实变影。纵隔内未见肿大淋巴结。（演示数据）||||||F',
    'OBX|2|TX|IMP^诊断意见^L||胸部CT平扫未见明显异常。（演示数据）||||||F',
    `OBX|3|ST|113014^Study Instance UID^DCM||${uid}||||||F`,
    'OBX|4|NM|NumberOfStudyRelatedSeries^序列数^DCM||3||||||F',
    'OBX|5|NM|NumberOfStudyRelatedInstances^图像数^DCM||212||||||F',
  ].join('\r');
}

/** An upward referral (上转) from a community centre to the lead hospital. */
export function demoReferral(o: { sender: string; receiver: string; sourceId: string; at: string }): string {
  return [
    msh(o.sender, 'REF^I12^REF_I12', `DEMO-${o.sourceId}`, o.at),
    `RF1|P^待接诊^HL70283|R^常规|MED^医疗|AM|O^门诊|${o.sourceId}^${o.sender}|${o.at}`,
    `PRD|RP|演示^全科医生||全科门诊^^^${o.sender}|||${o.sender}^XX`,
    `PRD|RT|||内分泌科^^^${o.receiver}|||${o.receiver}^XX`,
    DEMO_PATIENT,
    `DG1|1||E11.9^2型糖尿病^ICD10||${o.at.slice(0, 8)}|W`,
  ].join('\r');
}
