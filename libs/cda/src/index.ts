export { readCdaDocument, type CdaDocument, type CdaRead } from './read-cda';
export { describeFault, type CdaFault, type CdaFaultCode } from './cda-fault';
export type { CdaHeader, CdaPatient, CdaPerson } from './cda-header';
export type { CdaLabReport, CdaMappingContext } from './lab-report.map';
export type { CdaImagingReport } from './imaging-report.map';
export { TEMPLATES, ID_ROOTS, DE, type CdaTemplateKind } from './cda-oids';
export { parseTs } from './cda-datatypes';
