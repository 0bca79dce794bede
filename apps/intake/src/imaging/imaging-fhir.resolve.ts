/**
 * Who did the study, under which accession, and about whom — for an imaging submission read
 * from FHIR. The sender (the API key's institution) is always the reporter.
 *
 * Performer, in order: the hub study the report names by id (basis `study`: it must exist);
 * else an institution the hub knows named by `Organization/{code}` in the report's
 * `performer`, the accession identifier's `assigner`, or a series' `performer.actor` (basis
 * `explicit`; two different ones are refused); else the sender. References to organisations
 * the hub does not know are the sender's own and say nothing.
 *
 * Accession: the hub study's; else an identifier typed ACSN (v2-0203) of the study, then of
 * the report; else — only when the sender did the study — the study's other identifier, its
 * Study Instance UID, the report's identifier. A report on another institution's study must
 * carry that study's accession (ACSN) or name the hub study: the reporting centre's own
 * report number is not the study's.
 *
 * Patient: resident ID number (checked); an MRN whose system (`urn:yilian:institution:{code}:mrn`)
 * names a known institution is that institution's, one typed MR otherwise the sender's; a
 * local `Patient/{id}` the sender's MRN.
 */
import type { fhir4, PerformerBasis } from '@yilian/contracts';
import { issue, type ValidationIssue } from '@yilian/fhir';
import { institutionOfMrnSystem, isResidentIdSystem, parseResidentId } from '@yilian/patients';
import type { ImagingFhirContent } from './imaging-fhir.submission';
import type { ImagingPatient } from './imaging-intake.service';

const ORGANIZATION = /^Organization\/([A-Za-z0-9]{2,32})$/;
const isAccession = (i: fhir4.Identifier) => i.type?.coding?.some((c) => c.code === 'ACSN') ?? false;

export interface ImagingFhirParties {
  readonly performer: string;
  readonly performerBasis: PerformerBasis;
  readonly accession: string;
  readonly patient: ImagingPatient;
}

type Known = (code: string | undefined) => boolean;

function performerOf(c: ImagingFhirContent, sender: string, known: Known, issues: ValidationIssue[]) {
  if (c.studyRef) return { performer: c.studyRef.performer, basis: 'study' as const };
  const study = c.study?.resource;
  const refs = [
    ...(c.report?.resource.performer ?? []),
    ...(study?.identifier ?? []).flatMap((i) => (i.assigner ? [i.assigner] : [])),
    ...(study?.series ?? []).flatMap((s) => (s.performer ?? []).map((p) => p.actor)),
  ];
  const claimed = [
    ...new Set(refs.map((r) => ORGANIZATION.exec(r.reference ?? '')?.[1]).filter(known)),
  ] as string[];
  if (claimed.length > 1) {
    const path = c.report ? `${c.report.path}.performer` : `${c.study!.path}.identifier`;
    issues.push(
      issue('error', 'invariant', path, `the study is said to be performed by ${claimed.join(' and ')}`),
    );
  }
  const performer = claimed[0] ?? sender;
  return { performer, basis: performer === sender ? ('sender' as const) : ('explicit' as const) };
}

function accessionOf(c: ImagingFhirContent, ownStudy: boolean): string | undefined {
  if (c.studyRef) return c.studyRef.accession;
  const study = c.study?.resource.identifier ?? [];
  const report = c.report?.resource.identifier ?? [];
  const typed = [...study, ...report].find((i) => isAccession(i) && i.value)?.value;
  if (typed || !ownStudy) return typed;
  const other = study.find((i) => i.system !== 'urn:dicom:uid' && i.value)?.value;
  const uid = study.find((i) => i.system === 'urn:dicom:uid')?.value?.replace(/^urn:oid:/, '');
  return other ?? uid ?? report.find((i) => i.value)?.value;
}

function patientOf(
  c: ImagingFhirContent,
  sender: string,
  known: Known,
  issues: ValidationIssue[],
): ImagingPatient {
  const holder = c.report ?? c.study!;
  const subject = holder.resource.subject;
  const identifiers = c.patient?.resource.identifier ?? (subject?.identifier ? [subject.identifier] : []);
  const base = c.patient ? `${c.patient.path}.identifier` : `${holder.path}.subject.identifier`;
  let patient: { residentId?: string; mrn?: string; mrnInstitution?: string } = {};
  identifiers.forEach((id, i) => {
    if (!id.value) return;
    if (isResidentIdSystem(id.system)) {
      const check = parseResidentId(id.value);
      if (check.ok) patient.residentId = check.value;
      else
        issues.push(
          issue('error', 'value', `${base}[${i}].value`, `resident ID number is invalid: ${check.reason}`),
        );
      return;
    }
    const of = institutionOfMrnSystem(id.system);
    const isMr = id.type?.coding?.some((k) => k.code === 'MR') ?? false;
    if (known(of) && (!patient.mrn || patient.mrnInstitution === sender))
      patient = { ...patient, mrn: id.value, mrnInstitution: of };
    else if ((of === sender || isMr) && !patient.mrn)
      patient = { ...patient, mrn: id.value, mrnInstitution: sender };
  });
  const local = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(subject?.reference ?? '')?.[1];
  if (!patient.mrn && !patient.residentId && local) patient = { mrn: local, mrnInstitution: sender };
  if (!patient.mrn && !patient.residentId) {
    const message = `the patient needs a resident ID number (urn:oid:2.16.156.10011.1.3) or an MRN`;
    issues.push(issue('error', 'required', c.patient ? c.patient.path : `${holder.path}.subject`, message));
  }
  return patient;
}

export function imagingPartiesOf(
  content: ImagingFhirContent,
  sender: string,
  known: Known,
): { ok: true; parties: ImagingFhirParties } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const { performer, basis } = performerOf(content, sender, known, issues);
  const accession = accessionOf(content, performer === sender);
  if (!accession) {
    const path = content.report ? `${content.report.path}.identifier` : `${content.study!.path}.identifier`;
    const message =
      performer === sender
        ? 'the study needs an identifier: its accession number (type ACSN) or its Study Instance UID'
        : `a report on a study of ${performer} carries that study's accession number (identifier of type ACSN) or names the hub study`;
    issues.push(issue('error', 'required', path, message));
  }
  const patient = patientOf(content, sender, known, issues);
  if (issues.length > 0 || !accession) return { ok: false, issues };
  return { ok: true, parties: { performer, performerBasis: basis, accession, patient } };
}
