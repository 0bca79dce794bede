/**
 * The duplicate-test check an order goes through (检查检验结果互认, recognition part 2, for a HIS
 * that does not speak CDS Hooks): which results the hub already holds for this patient that
 * the ordering institution may recognise instead of repeating the test. The order intake asks
 * it for every new order and flags what it finds back in the order response (header NTE, type
 * DR). It never refuses an order. Without recognition wired in, `NO_DUPLICATE_CHECK` answers
 * nothing and orders are answered without flags.
 */
import type { fhir4 } from '@yilian/contracts';

export interface DuplicateTestQuery {
  /** Any of the patient's keys. */
  readonly patientKey: string;
  /** The ordering institution (the sender). */
  readonly requester: string;
  /** What is ordered (OBR-4). */
  readonly code: fhir4.CodeableConcept;
  /** An imaging order's DICOM modality (IPC-5 / OBR-24), matched with `bodySites`. */
  readonly modalities?: readonly string[];
  /** An imaging order's body site (OBR-15.4). */
  readonly bodySites?: readonly fhir4.Coding[];
  readonly asOf: Date;
}

/** A result the requester may recognise. */
export interface RecognisableResult {
  readonly resourceType: 'DiagnosticReport' | 'ImagingStudy';
  readonly resourceId: string;
  readonly performer: string;
  /** When the specimen was taken / the study was done. */
  readonly effective: string;
  /** Catalogue item name, e.g. 血常规. */
  readonly item?: string;
  /** Last calendar day it is recognisable (YYYY-MM-DD). */
  readonly validUntil?: string;
  /** The recognition mark, e.g. 鄂HR. */
  readonly mark?: string;
}

export interface DuplicateTestCheck {
  recognisable(query: DuplicateTestQuery): Promise<readonly RecognisableResult[]>;
}

export const DUPLICATE_TEST_CHECK = Symbol('DUPLICATE_TEST_CHECK');

export const NO_DUPLICATE_CHECK: DuplicateTestCheck = { recognisable: () => Promise.resolve([]) };

/** The NTE-3 text flagging one recognisable result, e.g.
 * `可互认结果 鄂HR 血常规: DiagnosticReport/H001.L-1 (H001, 2026-12-01, 有效至 2026-12-08)`. */
export function duplicateNoteText(r: RecognisableResult): string {
  const what = [r.mark, r.item].filter(Boolean).join(' ');
  const when = [r.performer, r.effective.slice(0, 10), ...(r.validUntil ? [`有效至 ${r.validUntil}`] : [])];
  return `可互认结果${what ? ` ${what}` : ''}: ${r.resourceType}/${r.resourceId} (${when.join(', ')})`;
}
