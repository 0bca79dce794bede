/**
 * A recognition decision as a FHIR Task (our design, docs/recognition.md):
 *
 * - `code`: `https://fhir.yilian.cn/CodeSystem/recognition-decision` `recognised` | `declined`;
 * - `focus`: the result, `DiagnosticReport/{id}` or `ImagingStudy/{id}` as the hub serves it;
 * - `for`: the patient — `Patient/{patient key}` (the hub's opaque id) or an identifier
 *   (resident ID number, or the sender's MRN);
 * - `encounter.identifier.value`: the visit; `owner.identifier.value`: the doctor;
 * - `statusReason.coding`: for a decline, a reason of the recognition-decline-reason ValueSet;
 *   `statusReason.text`: free text of at most 200 characters.
 */
import type { fhir4 } from '@yilian/contracts';
import {
  DECISION_TEXT_MAX_CHARACTERS,
  type DecisionReason,
  type RecognitionDecision,
} from '@yilian/contracts';
import { isPatientKey, isResidentIdSystem, institutionOfMrnSystem, parseResidentId } from '@yilian/patients';
import { DECLINE_REASON_KEYS } from '@yilian/recognition';

export const DECISION_CODE_SYSTEM = 'https://fhir.yilian.cn/CodeSystem/recognition-decision';
const RESULT_REFERENCE = /^(DiagnosticReport|ImagingStudy)\/[A-Za-z0-9\-.]{1,64}$/;
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export type TaskPatient =
  { readonly patientKey: string } | { readonly residentId: string } | { readonly mrn: string };

export interface DecisionTask {
  readonly decision: RecognitionDecision;
  readonly resource: string;
  readonly patient: TaskPatient;
  readonly encounter?: string;
  readonly practitioner?: string;
  readonly reason?: DecisionReason;
  readonly text?: string;
}

export interface TaskIssue {
  readonly code: 'required' | 'value' | 'code-invalid' | 'invalid';
  readonly path: string;
  readonly message: string;
}

export function isDecisionTask(body: unknown): boolean {
  const task = body as fhir4.Task | undefined;
  return (
    task?.resourceType === 'Task' && (task.code?.coding ?? []).some((c) => c.system === DECISION_CODE_SYSTEM)
  );
}

/** The decision a Task records, or every problem with it (each with its FHIRPath). */
export function readDecisionTask(
  task: fhir4.Task,
  sender: string,
): { ok: true; task: DecisionTask } | { ok: false; issues: TaskIssue[] } {
  const issues: TaskIssue[] = [];
  const codes = (task.code?.coding ?? []).filter((c) => c.system === DECISION_CODE_SYSTEM).map((c) => c.code);
  const decision = codes[0];
  if (codes.length !== 1 || (decision !== 'recognised' && decision !== 'declined'))
    issues.push({
      code: 'code-invalid',
      path: 'Task.code.coding',
      message: `one coding of ${DECISION_CODE_SYSTEM}: recognised or declined`,
    });
  const resource = task.focus?.reference;
  if (!resource || !RESULT_REFERENCE.test(resource))
    issues.push({
      code: 'required',
      path: 'Task.focus.reference',
      message: 'the result decided on: DiagnosticReport/{id} or ImagingStudy/{id}',
    });
  const patient = patientOf(task, sender, issues);
  const encounter = task.encounter?.identifier?.value;
  if (encounter !== undefined && !TOKEN.test(encounter))
    issues.push({
      code: 'value',
      path: 'Task.encounter.identifier.value',
      message: 'a visit number of at most 64 letters, digits, ., _, :, -',
    });
  const practitioner = task.owner?.identifier?.value;
  if (practitioner !== undefined && !TOKEN.test(practitioner))
    issues.push({
      code: 'value',
      path: 'Task.owner.identifier.value',
      message: 'a practitioner id of at most 64 letters, digits, ., _, :, -',
    });
  const reasons = task.statusReason?.coding ?? [];
  if (reasons.length > 1)
    issues.push({ code: 'invalid', path: 'Task.statusReason.coding', message: 'one reason' });
  const coding = reasons[0];
  let reason: DecisionReason | undefined;
  if (coding) {
    if (!coding.system || !coding.code || !DECLINE_REASON_KEYS.has(`${coding.system}|${coding.code}`))
      issues.push({
        code: 'code-invalid',
        path: 'Task.statusReason.coding[0]',
        message: 'not a code of the recognition-decline-reason ValueSet',
      });
    else
      reason = {
        system: coding.system,
        code: coding.code,
        ...(coding.display ? { display: coding.display } : {}),
      };
  }
  const text = task.statusReason?.text;
  if (text !== undefined && [...text].length > DECISION_TEXT_MAX_CHARACTERS)
    issues.push({
      code: 'value',
      path: 'Task.statusReason.text',
      message: `at most ${DECISION_TEXT_MAX_CHARACTERS} characters (got ${[...text].length})`,
    });
  if (decision === 'declined' && !coding)
    issues.push({
      code: 'required',
      path: 'Task.statusReason.coding',
      message: 'a decline needs a reason of the recognition-decline-reason ValueSet',
    });
  if (issues.length > 0 || !patient) return { ok: false, issues };
  return {
    ok: true,
    task: {
      decision: decision as RecognitionDecision,
      resource: resource!,
      patient,
      ...(encounter ? { encounter } : {}),
      ...(practitioner ? { practitioner } : {}),
      ...(reason ? { reason } : {}),
      ...(text ? { text } : {}),
    },
  };
}

function patientOf(task: fhir4.Task, sender: string, issues: TaskIssue[]): TaskPatient | undefined {
  const ref = /^Patient\/(.+)$/.exec(task.for?.reference ?? '')?.[1];
  if (ref && isPatientKey(ref)) return { patientKey: ref };
  const id = task.for?.identifier;
  if (id?.value && isResidentIdSystem(id.system)) {
    const check = parseResidentId(id.value);
    if (check.ok) return { residentId: check.value };
    issues.push({
      code: 'value',
      path: 'Task.for.identifier.value',
      message: `resident ID number is invalid: ${check.reason}`,
    });
    return undefined;
  }
  if (id?.value && institutionOfMrnSystem(id.system) === sender) return { mrn: id.value };
  issues.push({
    code: 'required',
    path: 'Task.for',
    message: "the patient: Patient/{the hub's patient id}, a resident ID number, or your own MRN",
  });
  return undefined;
}
