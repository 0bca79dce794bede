import type { fhir4 } from '@yilian/contracts';
import statusCodeSystem from '../../../../contracts/src/recognition/conformance/codesystem-recognition-eligibility-status.json';
import reasonCodeSystem from '../../../../contracts/src/recognition/conformance/codesystem-recognition-not-recognisable-reason.json';
import operation from '../../../../contracts/src/recognition/conformance/operation-patient-recognisable.json';
import extension from '../../../../contracts/src/recognition/conformance/structure-definition-recognition-eligibility.json';
import retrievalSerial from '../../../../contracts/src/recognition/conformance/structure-definition-retrieval-serial.json';
import decisionCodeSystem from '../../../../contracts/src/recognition/conformance/codesystem-recognition-decision.json';
import statusValueSet from '../../../../contracts/src/recognition/conformance/valueset-recognition-eligibility-status.json';
import reasonValueSet from '../../../../contracts/src/recognition/conformance/valueset-recognition-not-recognisable-reason.json';
import declineCodeSystem from '../../../../contracts/src/recognition/conformance/codesystem-recognition-decline-reason.json';
import declineValueSet from '../../../../contracts/src/recognition/conformance/valueset-recognition-decline-reason.json';

/** The recognition conformance resources (JSON in contracts/src/recognition/conformance), by
 * type and id: what `GET /fhir/<Type>/<id>` serves and validators resolve by canonical URL —
 * those of `$recognisable` and the decline reasons the CDS Hooks cards and decisions use. */
export const RECOGNITION_CONFORMANCE = {
  StructureDefinition: [
    extension as unknown as fhir4.StructureDefinition,
    retrievalSerial as unknown as fhir4.StructureDefinition,
  ],
  CodeSystem: [
    reasonCodeSystem as unknown as fhir4.CodeSystem,
    statusCodeSystem as unknown as fhir4.CodeSystem,
    declineCodeSystem as unknown as fhir4.CodeSystem,
    decisionCodeSystem as unknown as fhir4.CodeSystem,
  ],
  ValueSet: [
    reasonValueSet as unknown as fhir4.ValueSet,
    statusValueSet as unknown as fhir4.ValueSet,
    declineValueSet as unknown as fhir4.ValueSet,
  ],
  OperationDefinition: [operation as unknown as fhir4.OperationDefinition],
} as const;

export type ConformanceType = keyof typeof RECOGNITION_CONFORMANCE;

export function conformanceResource(type: ConformanceType, id: string): fhir4.Resource | undefined {
  return (RECOGNITION_CONFORMANCE[type] as readonly fhir4.Resource[]).find((r) => r.id === id);
}
