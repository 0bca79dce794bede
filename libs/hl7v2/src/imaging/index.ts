export {
  classifyImagingMessage,
  isImagingOru,
  IMAGING_MESSAGE_TYPES,
  type ImagingMessageClass,
  type ImagingMessageType,
} from './imaging-message';
export type {
  ImagingDraft,
  ImagingMappingContext,
  ImagingMappingResult,
  ImagingPatient,
  ImagingStudyDraft,
} from './imaging-draft';
export { mapImagingMessage } from './imaging.mapper';
export { isImagingSection, modalityOf } from './imaging-codes';
export { groupImagingMessage, type ImagingOrderGroup } from './imaging-groups';
export { embeddedCdaOf, type EmbeddedCda } from './embedded-cda';
export { IMAGING_DOCUMENT_TYPES, MDM_EVENTS } from './imaging-message';
