/**
 * Which HL7 v2 messages are imaging, and what they are:
 *
 * - **ORU^R01** is imaging (a RIS's report) when any OBR-24 is an imaging section or a DICOM
 *   modality (`isImagingSection`), or the message carries a Study Instance UID (a ZDS segment,
 *   or an OBX whose OBX-3 is StudyInstanceUID / (0020,000D) / 113014), or an OBX of type RP
 *   (a reference to images). Anything else stays a lab result (ORU^R01 lab mapping). Report
 *   text alone (OBX TX/FT) decides nothing: microbiology results carry text too.
 * - **MDM^T02** (a report document), **MDM^T08** (its edit), **MDM^T10** (its replacement),
 *   **MDM^T11** (its cancellation): always, the hub takes only imaging documents (TXA-2 is
 *   checked when mapped).
 *
 * Orders are not imaging messages here, imaging orders included: OMI^O23 and an ORM^O01 with
 * IPC / ZDS go the orders way (`libs/hl7v2/src/orders`, `OrderRecorded` with a ServiceRequest,
 * answered ORI^O24 / ORR^O02). An order names the study to be; the study exists when the PACS
 * reports it (ORU^R01, MDM, a FHIR ImagingStudy).
 */
import type { Hl7Message } from '@medplum/core';
import type { Hl7Error } from '../hl7-error';
import { textComponent } from '../hl7-fields';
import { classifyMessage } from '../message-type';
import type { Hl7Version } from '../hl7-version';
import { dicomAttributeOf, isImagingSection } from './imaging-codes';

/** The MDM events of a report document (HL7 v2 chapter 9): T01 / T02 originals, T03 / T04
 * status change, T05 / T06 addendum, T07 / T08 edit, T09 / T10 replacement, T11 cancel. */
export const MDM_EVENTS = [
  'MDM^T01',
  'MDM^T02',
  'MDM^T03',
  'MDM^T04',
  'MDM^T05',
  'MDM^T06',
  'MDM^T07',
  'MDM^T08',
  'MDM^T09',
  'MDM^T10',
  'MDM^T11',
] as const;

export const IMAGING_MESSAGE_TYPES = ['ORU^R01', ...MDM_EVENTS] as const;
export type ImagingMessageType = (typeof IMAGING_MESSAGE_TYPES)[number];

/** The MDM events of an imaging report document: its first issue, then its revisions. */
export const IMAGING_DOCUMENT_TYPES: ReadonlySet<ImagingMessageType> = new Set(MDM_EVENTS);

export type ImagingMessageClass =
  | {
      readonly ok: true;
      readonly type: ImagingMessageType;
      readonly version: Hl7Version;
      readonly controlId: string;
    }
  | { readonly ok: false; readonly errors: readonly Hl7Error[] };

function has(message: Hl7Message, name: string): boolean {
  return message.segments.some((s) => s.name === name);
}

function hasImagingSection(message: Hl7Message): boolean {
  return message.segments.some((s) => s.name === 'OBR' && isImagingSection(textComponent(s, 24, 1)));
}

/** The ORU^R01 rule above. */
export function isImagingOru(message: Hl7Message): boolean {
  if (has(message, 'ZDS') || hasImagingSection(message)) return true;
  return message.segments.some(
    (s) =>
      s.name === 'OBX' &&
      (textComponent(s, 2, 1).toUpperCase() === 'RP' ||
        dicomAttributeOf(textComponent(s, 3, 1)) === 'studyUid'),
  );
}

function imagingTypeOf(message: Hl7Message): ImagingMessageType | undefined {
  const msh = message.segments[0];
  if (msh?.name !== 'MSH') return undefined;
  const type = `${textComponent(msh, 9, 1)}^${textComponent(msh, 9, 2)}`.toUpperCase();
  switch (type) {
    case 'ORU^R01':
      return isImagingOru(message) ? type : undefined;
    default:
      return IMAGING_DOCUMENT_TYPES.has(type as ImagingMessageType)
        ? (type as ImagingMessageType)
        : undefined;
  }
}

/** undefined when the message is not imaging (it goes its usual way); else its class, or the
 * header errors that make it unacceptable. Never throws. */
export function classifyImagingMessage(message: Hl7Message): ImagingMessageClass | undefined {
  const type = imagingTypeOf(message);
  if (!type) return undefined;
  const kind = classifyMessage(message);
  return kind.ok
    ? { ok: true, type, version: kind.version, controlId: kind.controlId }
    : { ok: false, errors: kind.errors };
}
