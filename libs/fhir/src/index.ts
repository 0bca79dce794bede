export type * as fhir4 from 'fhir/r4';
export * from './validation-issue';
export { loadR4Definitions, isR4ResourceType, R4_VERSION, type R4DefinitionsLoad } from './r4-definitions';
export { validateFhirResource, isValidFhirResource } from './fhir-validator';
export { elementPath } from './element-path';
export * from './operation-outcome';
export { parseLabReport, type LabReportContent, type LabReportParse } from './transaction-bundle';
export { identifierSearch } from './entry-request';
export { foreignNamespaceIssues, isForeignNamespace, namespaceInstitution } from './institution-namespace';
