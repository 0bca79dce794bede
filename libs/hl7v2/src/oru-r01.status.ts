/**
 * Result statuses. OBR-25 (HL7 table 0123) → DiagnosticReport.status: O I S → registered,
 * A P R → preliminary, C → corrected, F → final, X → cancelled. OBX-11 (table 0085) →
 * Observation.status: C corrected, D W entered-in-error, F U final, I O registered, N X
 * cancelled, P R S preliminary. An empty OBR-25 is derived from the OBX-11s; an empty OBX-11
 * takes the report's.
 */
import type * as fhir4 from 'fhir/r4';
import { HL7_ERROR, type Hl7Error } from './hl7-error';
import { textComponent } from './hl7-fields';
import type { LabReportStatus } from './lab-report-draft';
import type { ObservationGroup } from './oru-r01.groups';

/** HL7 table 0123 → DiagnosticReport.status (A, R "some results" → preliminary). */
export const OBR_STATUS: Readonly<Record<string, LabReportStatus>> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  A: 'preliminary',
  P: 'preliminary',
  R: 'preliminary',
  C: 'corrected',
  F: 'final',
  X: 'cancelled',
};

export type ObservationStatus = fhir4.Observation['status'];

/** HL7 table 0085 → Observation.status. */
const OBX_STATUS: Readonly<Record<string, ObservationStatus>> = {
  C: 'corrected',
  D: 'entered-in-error',
  F: 'final',
  I: 'registered',
  N: 'cancelled',
  O: 'registered',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  U: 'final',
  W: 'entered-in-error',
  X: 'cancelled',
};

export const FROM_REPORT: Readonly<Record<LabReportStatus, ObservationStatus>> = {
  registered: 'registered',
  preliminary: 'preliminary',
  final: 'final',
  amended: 'amended',
  corrected: 'final',
  cancelled: 'cancelled',
  'entered-in-error': 'entered-in-error',
};

/** OBX-11 as an Observation status; undefined when empty (an error is pushed when unknown). */
export function observationStatusOf(
  group: ObservationGroup,
  errors: Hl7Error[],
): ObservationStatus | undefined {
  const sent = textComponent(group.obx.segment, 11, 1).toUpperCase();
  if (!sent) return undefined;
  const status = OBX_STATUS[sent];
  if (!status) {
    const at = { segment: 'OBX', sequence: group.obx.sequence, field: 11 };
    errors.push({
      ...at,
      code: HL7_ERROR.tableValueNotFound,
      message: `OBX-11 (result status) ${sent.slice(0, 4)} is not in table 0085`,
    });
  }
  return status;
}

/** Report status when OBR-25 is empty, from the observations' OBX-11. */
export function derivedStatus(
  statuses: readonly (ObservationStatus | undefined)[],
): LabReportStatus | undefined {
  const known = statuses.filter((s): s is ObservationStatus => s !== undefined);
  if (known.length === 0) return undefined;
  if (known.includes('corrected')) return 'corrected';
  if (known.every((s) => s === 'registered')) return 'registered';
  if (known.some((s) => s === 'registered' || s === 'preliminary')) return 'preliminary';
  if (known.every((s) => s === 'cancelled')) return 'cancelled';
  if (known.every((s) => s === 'entered-in-error')) return 'entered-in-error';
  return 'final';
}
