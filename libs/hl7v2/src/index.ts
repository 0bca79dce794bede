/**
 * @yilian/hl7v2 — HL7 v2 for the hub: MLLP server and client, parsing (via @medplum/core),
 * message classification, ACK building (original and enhanced modes) and the lab result
 * mapping (ORU^R01, OUL^R21 / R22 / R23 / R24) to FHIR R4. No framework, no I/O beyond the MLLP sockets.
 */
export type { Hl7Message } from '@medplum/core';
export { HL7_ERROR, hl7ErrorText, formatErrorLocation, type Hl7Error, type Hl7Location } from './hl7-error';
export { batchMessages, parseHl7, parseHl7Header, type Hl7ParseResult } from './hl7-parse';
export { escapeHl7, unescapeHl7 } from './hl7-escape';
// field access and PID reading for the mappers of every family (the public API they build on)
export {
  componentsOf,
  fieldOf,
  rawComponent,
  repetitionCount,
  repetitionText,
  textComponent,
  textSubcomponent,
} from './hl7-fields';
export { mapPatientIdentifiers } from './patient-identifiers';
export type { SegmentRef } from './oru-r01.groups';
export { participant, INTERPRETER_ROLES, OBSERVER_ROLES } from './participants';
export { parseHl7DateTime, periodOrder, CHINA_STANDARD_TIME, type FhirDateTimeParts } from './hl7-datetime';
export {
  classifyMessage,
  KNOWN_MESSAGE_TYPES,
  SUPPORTED_VERSIONS,
  type Hl7Version,
  type KnownMessageType,
  type MessageClass,
  type MessageClassification,
} from './message-type';
export {
  applicationResponseType,
  buildAck,
  buildAcks,
  formatHl7Timestamp,
  type AckOptions,
  type ResponseMessageType,
} from './ack';
export {
  ackModeFor,
  acknowledgementCodes,
  outcomeOf,
  type AckCode,
  type AckCondition,
  type AckMode,
  type IntakeOutcome,
} from './ack-mode';
export { codingSystemUri, localCodeSystem, LOINC, UCUM } from './coding';
export { nameBasedUuid } from './resource-id';
export type {
  LabMappingContext,
  LabMappingResult,
  LabReportDraft,
  LabReportStatus,
  PatientIdentifiers,
} from './lab-report-draft';
export {
  LAB_RESULT_MESSAGE_TYPES,
  mapLabResult,
  mapOruR01Lab,
  type LabResultMessageType,
} from './oru-r01.lab-mapper';
export { decodeFrame, decodeText, encodeText, declaredCharset, type Charset } from './charset';
export { MllpFrameDecoder, type MllpFrameEvent } from './mllp-frame-decoder';
export { MllpServer, MLLP_DEFAULTS } from './mllp-server';
export type {
  MllpConnectionInfo,
  MllpMessageHandler,
  MllpServerEvent,
  MllpServerOptions,
} from './mllp-server.types';
export { MllpClient, type MllpClientOptions } from './mllp-client';
export * from './imaging';
export * from './orders';
export * from './referrals/ref-i12.mapper';
export * from './referrals/ref-family.mapper';
export * from './referrals/rri-i12';
export * from './patients/adt.mapper';
