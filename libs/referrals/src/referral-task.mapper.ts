/**
 * A Task status update → the matching referral command:
 *
 * | Task.status | Task.businessStatus (referral-status) | command |
 * | accepted    | (none) or accepted                    | AcceptReferral (output department) |
 * | rejected    | any                                   | RejectReferral (statusReason: code + text) |
 * | in-progress | scheduled                             | ScheduleReferral (output kind, booked-for, priority-channel, department) |
 * | in-progress | arrived                               | RecordArrival |
 * | completed   | any                                   | CompleteReferral |
 * | cancelled   | any                                   | CancelReferral (statusReason.text) |
 * | accepted or in-progress | acknowledged              | AcknowledgeDownwardReferral (note[0].text) |
 *
 * Expiry is the hub's to decide: no Task update maps to it.
 */
import type { fhir4 } from '@yilian/contracts';
import type { ReferralCommand } from './referral.commands';
import { codeIn, REFERRAL_FHIR, type TaskParameter } from './referral-fhir.codes';
import type { FhirIssue, FhirMapping } from './referral-fhir.outcome';
import { REJECTION_REASONS, SCHEDULE_KINDS, type RejectionReasonCode, type ScheduleKind } from './contracts';

export interface TaskContext {
  /** The institution of the credential. */
  readonly actor: string;
  readonly now: string;
}

const FOCUS = /^ServiceRequest\/([A-Za-z0-9\-.]{1,64})$/;

export function taskToCommand(task: fhir4.Task, context: TaskContext): FhirMapping<ReferralCommand> {
  const fail = (code: FhirIssue['code'], path: string, message: string) =>
    ({ ok: false, issues: [{ code, path, message }] }) as const;
  if (task.resourceType !== 'Task') return fail('invalid', 'Task', 'expected a Task');
  const focus = FOCUS.exec(task.focus?.reference ?? task.basedOn?.[0]?.reference ?? '');
  if (!focus) return fail('required', 'Task.focus', 'the referral, as ServiceRequest/{id}');
  const base = { referralId: focus[1]!, actor: context.actor, now: context.now };
  const ok = (command: ReferralCommand) => ({ ok: true, command }) as const;
  const business = codeIn(task.businessStatus, REFERRAL_FHIR.statusSystem);
  const output = outputs(task);
  const department = output.string('department');

  if (business === 'acknowledged' && (task.status === 'accepted' || task.status === 'in-progress')) {
    const note = task.note?.[0]?.text;
    return ok({ ...base, type: 'AcknowledgeDownwardReferral', ...(note ? { note } : {}) });
  }
  switch (task.status) {
    case 'accepted':
      if (business !== undefined && business !== 'accepted') break;
      return ok({ ...base, type: 'AcceptReferral', ...(department ? { department } : {}) });
    case 'rejected': {
      const reasonCode = codeIn(task.statusReason, REFERRAL_FHIR.rejectionReasonSystem);
      const text = task.statusReason?.text;
      if (reasonCode !== undefined && !REJECTION_REASONS.includes(reasonCode as RejectionReasonCode)) {
        return fail(
          'code-invalid',
          'Task.statusReason.coding',
          `${reasonCode}: one of ${REJECTION_REASONS.join(', ')}`,
        );
      }
      if (reasonCode === undefined && !text)
        return fail('required', 'Task.statusReason', 'why the referral is rejected');
      const code = (reasonCode ?? 'other') as RejectionReasonCode;
      return ok({ ...base, type: 'RejectReferral', reason: { code, ...(text ? { text } : {}) } });
    }
    case 'in-progress':
      if (business === 'arrived') return ok({ ...base, type: 'RecordArrival' });
      if (business !== 'scheduled') break;
      return scheduleFrom(output, base, department, fail);
    case 'completed':
      return ok({ ...base, type: 'CompleteReferral' });
    case 'cancelled': {
      const reason = task.statusReason?.text;
      return ok({ ...base, type: 'CancelReferral', ...(reason ? { reason } : {}) });
    }
    case 'draft':
    case 'requested':
    case 'received':
    case 'ready':
    case 'on-hold':
    case 'failed':
    case 'entered-in-error':
    default:
      return fail('not-supported', 'Task.status', `a referral Task is not updated to ${task.status}`);
  }
  return fail(
    'not-supported',
    'Task.businessStatus',
    `${task.status} with businessStatus ${business ?? '(none)'}`,
  );
}

function scheduleFrom(
  output: ReturnType<typeof outputs>,
  base: { referralId: string; actor: string; now: string },
  department: string | undefined,
  fail: (code: FhirIssue['code'], path: string, message: string) => FhirMapping<ReferralCommand>,
): FhirMapping<ReferralCommand> {
  const kind = output.code('schedule-kind');
  if (!SCHEDULE_KINDS.includes(kind as ScheduleKind)) {
    return fail('required', output.path('schedule-kind'), `schedule-kind: ${SCHEDULE_KINDS.join(' | ')}`);
  }
  const bookedFor = output.dateTime('booked-for');
  if (!bookedFor)
    return fail('required', output.path('booked-for'), 'booked-for: when the patient is expected');
  if (!department)
    return fail('required', output.path('department'), 'department: where the patient is booked');
  return {
    ok: true,
    command: {
      ...base,
      type: 'ScheduleReferral',
      kind: kind as ScheduleKind,
      bookedFor,
      priorityChannel: output.boolean('priority-channel') ?? false,
      department,
    },
  };
}

/** Typed access to Task.output by parameter code, with the path of each for issues. */
function outputs(task: fhir4.Task) {
  const all = task.output ?? [];
  const index = (name: TaskParameter) =>
    all.findIndex((o) =>
      o.type.coding?.some((c) => c.system === REFERRAL_FHIR.taskParameterSystem && c.code === name),
    );
  const find = (name: TaskParameter) => all[index(name)];
  return {
    path: (name: TaskParameter) => (index(name) >= 0 ? `Task.output[${index(name)}]` : 'Task.output'),
    code: (name: TaskParameter) => find(name)?.valueCode,
    string: (name: TaskParameter) => find(name)?.valueString,
    dateTime: (name: TaskParameter) => find(name)?.valueDateTime,
    boolean: (name: TaskParameter) => find(name)?.valueBoolean,
  };
}
