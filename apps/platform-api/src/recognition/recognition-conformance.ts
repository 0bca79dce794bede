import type { fhir4 } from '@yilian/contracts';
import statusCodeSystem from './conformance/codesystem-recognition-eligibility-status.json';
import reasonCodeSystem from './conformance/codesystem-recognition-not-recognisable-reason.json';
import operation from './conformance/operation-patient-recognisable.json';
import extension from './conformance/structure-definition-recognition-eligibility.json';
import statusValueSet from './conformance/valueset-recognition-eligibility-status.json';
import reasonValueSet from './conformance/valueset-recognition-not-recognisable-reason.json';

/** The recognition read side's conformance resources (JSON in ./conformance), by type and id:
 * what `GET /fhir/<Type>/<id>` serves and validators resolve by canonical URL. */
export const RECOGNITION_CONFORMANCE = {
  StructureDefinition: [extension as unknown as fhir4.StructureDefinition],
  CodeSystem: [
    reasonCodeSystem as unknown as fhir4.CodeSystem,
    statusCodeSystem as unknown as fhir4.CodeSystem,
  ],
  ValueSet: [reasonValueSet as unknown as fhir4.ValueSet, statusValueSet as unknown as fhir4.ValueSet],
  OperationDefinition: [operation as unknown as fhir4.OperationDefinition],
} as const;

export type ConformanceType = keyof typeof RECOGNITION_CONFORMANCE;

export function conformanceResource(type: ConformanceType, id: string): fhir4.Resource | undefined {
  return (RECOGNITION_CONFORMANCE[type] as readonly fhir4.Resource[]).find((r) => r.id === id);
}
