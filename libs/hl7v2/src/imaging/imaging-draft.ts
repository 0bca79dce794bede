import type * as fhir4 from 'fhir/r4';
import type { Hl7Error, Hl7Location } from '../hl7-error';
import type { PatientIdentifiers } from '../lab-report-draft';
import type { ImagingMessageType } from './imaging-message';

/** A study as an HL7 v2 message describes it: FHIR R4 ImagingStudy without subject and id,
 * which the hub sets (patient key, performer + accession). */
export type ImagingStudyDraft = Omit<fhir4.ImagingStudy, 'subject' | 'id'>;

/** One order / report of the message: its study, its report, or both. */
export interface ImagingDraft {
  /** Accession number (filler order number first), unique within the performing institution. */
  readonly accession: string;
  /** Where the accession was read: errors about the performer point there (component 2). */
  readonly accessionAt: Hl7Location;
  /** Assigning authority of the accession (EI-2, else EI-3): the performing institution,
   * when it is an institution the hub knows. */
  readonly accessionAuthority?: string;
  readonly study?: ImagingStudyDraft;
  /** Whether `study` holds only what the message said (ORU, OMI, ORM): what it leaves out is
   * kept from the study's latest version. */
  readonly studyIsPartial: boolean;
  /** DiagnosticReport without subject and id. */
  readonly report?: Omit<fhir4.DiagnosticReport, 'subject' | 'id'>;
  /** MDM^T03 – T11: the report revises one the hub must already have. */
  readonly revision?: ImagingDocumentRevision;
}

/** What an MDM^T03 – T11 does to the report document it names. */
export interface ImagingDocumentRevision {
  /** T04 / T08 edit, T10 replacement: a new version with its content; T03 / T07 / T09 status:
   * the latest version with TXA-17's status (content to follow); T05 / T06 addendum: the
   * latest version `appended` (T06 with the addendum's content added); T11: the report
   * cancelled (entered in error). */
  readonly kind: 'edit' | 'replace' | 'cancel' | 'status' | 'addendum';
  /** The document revised, as the report's identifier: TXA-13 (parent document) of a
   * replacement, else TXA-12 (unique document number). */
  readonly document: fhir4.Identifier;
  /** Where that number was read: a report the hub does not have is refused there. */
  readonly documentAt: Hl7Location;
}

export interface ImagingPatient extends PatientIdentifiers {
  /** PID-3.4 of the MRN's repetition: the institution whose MRN it is, when it names one. */
  readonly mrnAuthority?: string;
}

export interface ImagingMappingContext {
  /** Institution code from the sender's credential, never from the message. */
  readonly institution: string;
  /** Offset given to HL7 times sent without one. Default +08:00. */
  readonly defaultUtcOffset?: string;
}

export type ImagingMappingResult =
  | {
      readonly ok: true;
      readonly type: ImagingMessageType;
      readonly patient: ImagingPatient;
      readonly drafts: ImagingDraft[];
    }
  | { readonly ok: false; readonly errors: Hl7Error[] };
