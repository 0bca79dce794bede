/**
 * HL7 v2 versions (MSH-12.1). HL7 v2 is additive: a later version adds fields, segments and
 * groups and withdraws little, so the hub reads every version from 2.3 on with one mapping and
 * uses what a version adds where it means something (PRT participations, the patient
 * observation OBX of 2.7+, the 2.7+ data types). A version the hub has never seen (2.10, 2.9.1)
 * is read as the highest known version not above it; versions before 2.3 (no ERR segment, no
 * CE/CWE split the mappings rely on) and text that is not a version are refused (AR 203).
 */
export const SUPPORTED_VERSIONS = [
  '2.3',
  '2.3.1',
  '2.4',
  '2.5',
  '2.5.1',
  '2.6',
  '2.7',
  '2.7.1',
  '2.8',
  '2.8.1',
  '2.8.2',
  '2.9',
] as const;
export type Hl7Version = (typeof SUPPORTED_VERSIONS)[number];

const VERSION_TEXT = /^2\.(\d{1,2})(?:\.(\d{1,2}))?$/;
const KNOWN: ReadonlySet<string> = new Set(SUPPORTED_VERSIONS);

function rank(text: string): number | undefined {
  const m = VERSION_TEXT.exec(text);
  return m ? Number(m[1]) * 100 + Number(m[2] ?? 0) : undefined;
}

const RANKED = SUPPORTED_VERSIONS.map((v) => [rank(v)!, v] as const);
const OLDEST = RANKED[0]![0];

/** The version MSH-12.1 is read as, or undefined when the hub refuses it. */
export function readVersion(sent: string): Hl7Version | undefined {
  if (KNOWN.has(sent)) return sent as Hl7Version;
  const r = rank(sent.trim());
  if (r === undefined || r < OLDEST) return undefined;
  let read: Hl7Version = SUPPORTED_VERSIONS[0];
  for (const [known, version] of RANKED) if (known <= r) read = version;
  return read;
}

/** True from 2.7 on: the patient observation group, PRT, CWE/DTM in place of CE/TS. */
export function atLeast(version: Hl7Version, than: Hl7Version): boolean {
  return rank(version)! >= rank(than)!;
}
