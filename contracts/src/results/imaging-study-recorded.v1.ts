import type { fhir4 } from '../fhir';
import {
  arrayOf,
  guard,
  institutionCode,
  object,
  optional,
  resource,
  text,
  type DataCheck,
} from '../referrals/schema';

export const IMAGING_STUDY_RECORDED = 'ImagingStudyRecorded';

/**
 * One version of an imaging study (检查) as the institution that performed it knows it: a FHIR
 * R4 ImagingStudy with the DICOM Study Instance UID as an identifier (`urn:dicom:uid`,
 * `urn:oid:…`), modality, counts, `started`, and its DICOMweb (WADO-RS) endpoint as a contained
 * Endpoint. A change (more images, a correction, a cancellation) is another event in the same
 * stream (`imaging-{performer}-{accession}`), never an edit.
 */
export interface ImagingStudyRecordedV1 {
  readonly study: fhir4.ImagingStudy;
  /** Institution code where the study was done (its accession number's assigner). */
  readonly performer: string;
  /** Accession number, unique within the performer. */
  readonly accession: string;
  /** DICOM Study Instance UID (dotted, without `urn:oid:`), when known. */
  readonly studyInstanceUid?: string;
  /** DICOM modality codes of the study (CT, MR, US, DX …), for search. */
  readonly modalities: readonly string[];
  /** Body part examined, as sent (series body sites, or the order's body site). */
  readonly bodySite?: readonly fhir4.Coding[];
}

const coding: DataCheck = (value, path) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? [] : [`${path}: expected a Coding`];

export const checkImagingStudyRecordedV1: DataCheck = object<ImagingStudyRecordedV1>({
  study: resource('ImagingStudy'),
  performer: institutionCode,
  accession: text({ max: 200 }),
  studyInstanceUid: optional(text({ max: 64, pattern: /^[0-9]+(\.[0-9]+)*$/ })),
  modalities: arrayOf(text({ max: 16 }), { max: 32 }),
  bodySite: optional(arrayOf(coding, { max: 32 })),
});

export const isImagingStudyRecordedV1 = guard<ImagingStudyRecordedV1>(checkImagingStudyRecordedV1);

/** `imaging-{performer}-{accession}`: one stream per study and its report. */
export function imagingStream(performer: string, accession: string): string {
  return `imaging-${performer}-${accession}`;
}
