/**
 * MDM^T01 (notification: registered, content to follow) and MDM^T02 (an imaging report
 * document with its content) → DiagnosticReport. TXA-2 must be diagnostic imaging
 * (table 0270 DI, or RAD / a modality as RIS send it); the accession is TXA-15 (filler order
 * number), else TXA-14 (placer); status: TXA-19 CA (canceled) → cancelled, else TXA-17 (table
 * 0271) AU / LA → final (corrected when TXA-13 names a parent document it replaces), DI DO IN IP
 * PA → preliminary; effective TXA-4; issued TXA-22.15 (authentication time), else TXA-8, TXA-6;
 * radiologist TXA-22, else TXA-9, TXA-5; TXA-12 (unique document number) as an identifier.
 * The report text is in the OBX after TXA (reportContent).
 *
 * Revisions of a document the hub has (`revision`; the report is found by the accession, as
 * for T02, and must be the document named): MDM^T08 (edit, TXA-12 names the document) and
 * MDM^T10 (replacement: TXA-13 names the document replaced, TXA-12 the new one) are new
 * versions with their content (OBX required), status from TXA-17 — final / preliminary: whether
 * final is `corrected` depends on the version before, which the hub decides; MDM^T11 (cancel,
 * TXA-12, no content) is `entered-in-error`.
 */
import type * as fhir4 from 'fhir/r4';
import { LOINC } from '../coding';
import { HL7_ERROR, type Hl7Error } from '../hl7-error';
import { textComponent } from '../hl7-fields';
import type { SegmentRef } from '../oru-r01.groups';
import { isImagingSection } from './imaging-codes';
import type { ImagingDocumentRevision, ImagingDraft } from './imaging-draft';
import type { ImagingMessageType } from './imaging-message';
import { accessionOf, personOf } from './imaging-order';
import { category, reportContent, timeAt, type ReportDraft } from './imaging-report.map';
import type { StudyEnv } from './imaging-study.map';

const COMPLETION: Readonly<Record<string, 'final' | 'preliminary'>> = {
  AU: 'final',
  LA: 'final',
  DI: 'preliminary',
  DO: 'preliminary',
  IN: 'preliminary',
  IP: 'preliminary',
  PA: 'preliminary',
};

/** The MDM events (HL7 v2 chapter 9) as revisions: what each does, whether it carries the
 * content (MDM_T02 structure: OBX required) or not (MDM_T01: OBX ignored), and which TXA field
 * names the document revised (13: the parent document; else 12). T01 / T02 are originals. */
const REVISIONS: Readonly<
  Partial<
    Record<ImagingMessageType, { kind: ImagingDocumentRevision['kind']; content: boolean; parent?: true }>
  >
> = {
  'MDM^T03': { kind: 'status', content: false },
  'MDM^T04': { kind: 'edit', content: true },
  'MDM^T05': { kind: 'addendum', content: false, parent: true },
  'MDM^T06': { kind: 'addendum', content: true, parent: true },
  'MDM^T07': { kind: 'status', content: false },
  'MDM^T08': { kind: 'edit', content: true },
  'MDM^T09': { kind: 'status', content: false, parent: true },
  'MDM^T10': { kind: 'replace', content: true, parent: true },
  'MDM^T11': { kind: 'cancel', content: false },
};

/** MDM events whose OBX are the document's content (MDM_T02 structure). */
export function carriesContent(type: ImagingMessageType): boolean {
  return type === 'MDM^T02' || REVISIONS[type]?.content === true;
}

function statusOf(
  txa: SegmentRef,
  type: ImagingMessageType,
  revision: ImagingDocumentRevision['kind'] | undefined,
  errors: Hl7Error[],
): ReportDraft['status'] {
  const at = { segment: 'TXA', sequence: txa.sequence };
  if (revision === 'cancel') return 'entered-in-error';
  // T01: the document exists, its content follows (FHIR: registered, nothing available yet)
  if (type === 'MDM^T01') return 'registered';
  if (textComponent(txa.segment, 19, 1).toUpperCase() === 'CA') return 'cancelled';
  const completion = textComponent(txa.segment, 17, 1).toUpperCase();
  const status = COMPLETION[completion];
  if (!status) {
    const message = completion
      ? `TXA-17 (document completion status) ${completion.slice(0, 4)} is not in table 0271`
      : 'TXA-17 (document completion status) is empty';
    const code = completion ? HL7_ERROR.tableValueNotFound : HL7_ERROR.requiredFieldMissing;
    errors.push({ ...at, field: 17, code, message });
    return 'final';
  }
  if (revision) return status;
  return status === 'final' && textComponent(txa.segment, 13, 1) ? 'corrected' : status;
}

/** The system of the sender's document numbers (TXA-12). */
const documentSystem = (institution: string) => `urn:yilian:institution:${institution}:document`;

/** The document a T08 / T10 / T11 revises: TXA-13 of a replacement when given, else TXA-12. */
function revisionOf(
  txa: SegmentRef,
  type: ImagingMessageType,
  observations: readonly SegmentRef[],
  env: StudyEnv,
): ImagingDocumentRevision | undefined {
  const { kind, content, parent: byParent } = REVISIONS[type]!;
  const at = { segment: 'TXA', sequence: txa.sequence };
  if (content && observations.length === 0) {
    const message = `${type} carries the document's content: no OBX after TXA`;
    env.errors.push({ segment: 'OBX', sequence: 1, code: HL7_ERROR.segmentSequence, message });
  }
  const parent = byParent ? textComponent(txa.segment, 13, 1) : '';
  const field = parent ? 13 : 12;
  const value = parent || textComponent(txa.segment, 12, 1);
  if (!value) {
    const message = 'TXA-12 (unique document number) is empty: which report document is revised?';
    env.errors.push({ ...at, field: 12, code: HL7_ERROR.requiredFieldMissing, message });
    return undefined;
  }
  const document = { system: documentSystem(env.institution), value };
  return { kind, document, documentAt: { ...at, field, component: 1 } };
}

export function mapDocumentReport(
  type: ImagingMessageType,
  txa: SegmentRef,
  observations: readonly SegmentRef[],
  env: StudyEnv,
): ImagingDraft | undefined {
  const seg = txa.segment;
  const kind = REVISIONS[type]?.kind;
  const revision = kind && revisionOf(txa, type, observations, env);
  // an MDM_T01 structure has no content: OBX a sender adds anyway are not read
  const contentObservations = carriesContent(type) ? observations : [];
  const documentType = textComponent(seg, 2, 1).toUpperCase();
  if (documentType !== 'DI' && !isImagingSection(documentType)) {
    const message = `TXA-2 (document type) ${documentType.slice(0, 8) || '(empty)'} is not kept by the hub: it keeps diagnostic imaging reports (DI, RAD or a modality)`;
    const code = documentType ? HL7_ERROR.tableValueNotFound : HL7_ERROR.requiredFieldMissing;
    env.errors.push({ segment: 'TXA', sequence: txa.sequence, field: 2, code, message });
  }
  const accession = accessionOf(
    [
      [txa, 15],
      [txa, 14],
    ],
    { segment: 'TXA', sequence: txa.sequence, field: 15 },
    env.errors,
  );
  const status = statusOf(txa, type, kind, env.errors);
  const content = reportContent(contentObservations, env, textComponent(seg, 2, 2) || '影像诊断报告');
  const effective = timeAt(txa, 4, env)?.dateTime;
  const issued =
    timeAt(txa, 22, env, 15)?.instant ?? timeAt(txa, 8, env)?.instant ?? timeAt(txa, 6, env)?.instant;
  const interpreter =
    personOf(txa, 22, env.institution) ??
    personOf(txa, 9, env.institution) ??
    personOf(txa, 5, env.institution);
  const documentId = textComponent(seg, 12, 1);
  const identifier: fhir4.Identifier[] = documentId
    ? [{ system: documentSystem(env.institution), value: documentId }]
    : [];
  if (!accession) return undefined;
  const { statuses: _statuses, ...text } = content;
  return {
    accession: accession.accession,
    accessionAt: accession.at,
    ...(accession.authority ? { accessionAuthority: accession.authority } : {}),
    studyIsPartial: true,
    ...(revision ? { revision } : {}),
    report: {
      resourceType: 'DiagnosticReport',
      ...(identifier.length > 0 ? { identifier } : {}),
      status,
      category: category(documentType === 'DI' ? '' : documentType),
      code: {
        coding: [{ system: LOINC, code: '18748-4', display: 'Diagnostic imaging study' }],
        text: textComponent(seg, 2, 2) || '影像诊断报告',
      },
      ...(effective ? { effectiveDateTime: effective } : {}),
      ...(issued ? { issued } : {}),
      ...(interpreter ? { resultsInterpreter: [interpreter] } : {}),
      ...text,
    },
  };
}
