import { createHash } from 'node:crypto';
import type { fhir4 } from '@yilian/contracts';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const HUB_ID = /^imaging\.([A-Za-z0-9]{2,32})\.(.+)$/;
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
/** Resources the hub never keeps inside a study or report: it has its own for them. */
const EXTRACTED = new Set(['Patient', 'ImagingStudy', 'Observation']);

/** The hub id of a study and of its report (one id, two resource types):
 * `imaging.{performer}.{accession}` where that is a FHIR id, else a hash of both. */
export function imagingResourceId(performer: string, accession: string): string {
  const readable = `imaging.${performer}.${accession}`;
  if (FHIR_ID.test(readable)) return readable;
  const digest = createHash('sha256').update(`${performer}\u001f${accession}`).digest('hex');
  return `im-${digest.slice(0, 40)}`;
}

/** The performer and accession a readable hub id names (institution codes have no dots). */
export function parseImagingResourceId(id: string): { performer: string; accession: string } | undefined {
  const m = HUB_ID.exec(id);
  if (!m || imagingResourceId(m[1]!, m[2]!) !== id) return undefined;
  return { performer: m[1]!, accession: m[2]! };
}

export function accessionIdentifier(performer: string, accession: string): fhir4.Identifier {
  return {
    use: 'usual',
    type: { coding: [{ system: V2_0203, code: 'ACSN', display: 'Accession ID' }] },
    system: `urn:yilian:institution:${performer}:accession`,
    value: accession,
    assigner: { reference: `Organization/${performer}` },
  };
}

/** The sender's identifiers after the hub's accession identifier, without repeats. */
function identifiers(
  first: fhir4.Identifier,
  sent: readonly fhir4.Identifier[] | undefined,
): fhir4.Identifier[] {
  const same = (i: fhir4.Identifier) => i.system === first.system && i.value === first.value;
  return [first, ...(sent ?? []).filter((i) => !same(i))];
}

/** People named by the sender, kept by name and identifier: their local references do not
 * resolve on the hub. Organisations are dropped: the hub sets those from what it knows. */
function people(refs: readonly fhir4.Reference[] | undefined): fhir4.Reference[] {
  return (refs ?? []).flatMap((r) => {
    if (r.type === 'Organization' || r.reference?.startsWith('Organization/')) return [];
    if (r.reference?.startsWith('#')) return [r];
    const { reference: _local, ...rest } = r;
    return rest.display || rest.identifier ? [rest] : [];
  });
}

function keptContained(resource: fhir4.DomainResource, subject: fhir4.Reference) {
  const kept = (resource.contained ?? [])
    .filter((r) => !EXTRACTED.has(r.resourceType))
    .map((r) => (r.resourceType === 'BodyStructure' ? { ...r, patient: subject } : r));
  return kept.length > 0 ? kept : undefined;
}

/**
 * The study as the hub keeps it: the hub id, the hub patient, the accession identifier assigned
 * by the performer first, and the endpoints (DICOMweb) contained. Everything else as sent.
 */
export function normalizeImagingStudy(input: {
  performer: string;
  accession: string;
  patientKey: string;
  study: fhir4.ImagingStudy;
  /** Endpoints the submission gave beside the study (Bundle entries), to be contained. */
  endpoints?: readonly fhir4.Endpoint[];
}): fhir4.ImagingStudy {
  const subject = { reference: `Patient/${input.patientKey}` };
  const { contained: _sent, endpoint: sentEndpoints, ...study } = input.study;
  const ownEndpoints = (sentEndpoints ?? []).filter((r) => r.reference?.startsWith('#'));
  const moved = (input.endpoints ?? []).map((e, i) => ({ ...e, id: `yl-endpoint-${i + 1}` }));
  const contained = [...(keptContained(input.study, subject) ?? []), ...moved];
  const endpoint = [...ownEndpoints, ...moved.map((e) => ({ reference: `#${e.id}` }))];
  return {
    ...study,
    ...(contained.length > 0 ? { contained } : {}),
    id: imagingResourceId(input.performer, input.accession),
    identifier: identifiers(accessionIdentifier(input.performer, input.accession), study.identifier),
    subject,
    ...(endpoint.length > 0 ? { endpoint } : {}),
  };
}

/**
 * The report as the hub keeps it: the study's id, category RAD, the hub patient, the
 * performer (where the study was done) and the reporting institution first among
 * `resultsInterpreter`, both from what the hub knows, never from the body; `imagingStudy`
 * naming the hub's ImagingStudy. Conclusion, codes, presentedForm and text as sent.
 */
export function normalizeImagingReport(input: {
  performer: string;
  reporter: string;
  accession: string;
  patientKey: string;
  report: fhir4.DiagnosticReport;
}): fhir4.DiagnosticReport {
  const id = imagingResourceId(input.performer, input.accession);
  const subject = { reference: `Patient/${input.patientKey}` };
  const { contained: _sent, result: _result, ...report } = input.report;
  const contained = keptContained(input.report, subject);
  const category = report.category ?? [];
  const hasRad = category.some((c) => c.coding?.some((k) => k.system === V2_0074 && k.code === 'RAD'));
  return {
    ...report,
    ...(contained ? { contained } : {}),
    id,
    identifier: identifiers(accessionIdentifier(input.performer, input.accession), report.identifier),
    category: hasRad
      ? category
      : [{ coding: [{ system: V2_0074, code: 'RAD', display: 'Radiology' }] }, ...category],
    subject,
    performer: [{ reference: `Organization/${input.performer}` }, ...people(report.performer)],
    resultsInterpreter: [
      { reference: `Organization/${input.reporter}` },
      ...people(report.resultsInterpreter),
    ],
    imagingStudy: [{ reference: `ImagingStudy/${id}` }],
  };
}
