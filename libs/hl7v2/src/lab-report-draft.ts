import type * as fhir4 from 'fhir/r4';
import type { Hl7Error } from './hl7-error';

/**
 * The patient's identifiers as the message gave them, kept apart from the FHIR resources:
 * nothing in a draft names the patient (`subject` is left for the caller, who computes the
 * keyed-hash patient key from these).
 */
export interface PatientIdentifiers {
  /** Medical record number (病案号 / 门诊号), unique within the sending institution. */
  readonly mrn?: { readonly institution: string; readonly value: string };
  /** Resident ID number (居民身份证号), 18 characters, checked (GB 11643), `X` upper-case. */
  readonly residentId?: string;
  readonly name?: string;
  /** FHIR date (YYYY, YYYY-MM or YYYY-MM-DD). */
  readonly birthDate?: string;
  readonly gender?: 'male' | 'female' | 'other' | 'unknown';
}

export type LabReportStatus =
  'registered' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error';

/** One report (one OBR group) ready to become a LabReportRecorded once the caller has set
 * `subject` on the report, its observations and specimens. */
export interface LabReportDraft {
  /** Accession / filler order number, unique within the performing institution. */
  readonly accession: string;
  /** `{number}.{OBR-4}` for a report known by its number alone: the key it has when the order's
   * panels came in one message (a later change of one panel, sent alone, names that report). */
  readonly panelAccession?: string;
  readonly status: LabReportStatus;
  readonly report: fhir4.DiagnosticReport;
  readonly observations: fhir4.Observation[];
  readonly specimens: fhir4.Specimen[];
}

export interface LabMappingContext {
  /** Institution code from the sender's credential, never from the message. */
  readonly institution: string;
  /** When the hub received the message (ISO 8601 instant): `issued` when OBR-22 lacks a time. */
  readonly receivedAt: string;
  /** Offset given to HL7 times sent without one. Default +08:00 (China Standard Time). */
  readonly defaultUtcOffset?: string;
}

export type LabMappingResult =
  | { readonly ok: true; readonly patient: PatientIdentifiers; readonly reports: LabReportDraft[] }
  | { readonly ok: false; readonly errors: Hl7Error[] };
