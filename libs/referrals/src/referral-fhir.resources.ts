/**
 * Referral state → FHIR R4 for reading: the ServiceRequest (what was asked) and the Task (where
 * the workflow stands: status, businessStatus, owner, statusReason), both with id = referral id.
 * Built from the recorded facts, not echoed from what the sender sent.
 */
import type { fhir4 } from '@yilian/contracts';
import type { ExistingReferral, ReferralStatus } from './referral.state';
import {
  CN_ACTIVITY,
  organizationReference,
  patientKeyReference,
  REFERRAL_CATEGORY,
  REFERRAL_FHIR,
  STATUS_DISPLAY,
  type TaskParameter,
} from './referral-fhir.codes';

const SERVICE_REQUEST_STATUS: Readonly<Record<ReferralStatus, fhir4.ServiceRequest['status']>> = {
  requested: 'active',
  accepted: 'active',
  scheduled: 'active',
  arrived: 'active',
  completed: 'completed',
  rejected: 'revoked',
  cancelled: 'revoked',
  expired: 'revoked',
};

/** Expired has no Task status of its own: `failed` (the receiver never answered). */
const TASK_STATUS: Readonly<Record<ReferralStatus, fhir4.Task['status']>> = {
  requested: 'requested',
  accepted: 'accepted',
  scheduled: 'in-progress',
  arrived: 'in-progress',
  completed: 'completed',
  rejected: 'rejected',
  cancelled: 'cancelled',
  expired: 'failed',
};

export function referralToServiceRequest(referral: ExistingReferral): fhir4.ServiceRequest {
  const r = referral.request;
  // an empty array is no FHIR (ele-1, "Array cannot be empty"): none when nothing was sent
  const supportingInfo: fhir4.Reference[] = [
    ...r.supportingInfo.map((reference) => ({ reference })),
    ...r.documents.map((d) => ({
      reference: d.reference,
      ...(d.title ? { display: d.title } : {}),
      extension: [{ url: REFERRAL_FHIR.documentKindExtension, valueCode: d.kind }],
    })),
  ];
  return {
    resourceType: 'ServiceRequest',
    id: r.referralId,
    extension: [{ url: REFERRAL_FHIR.directionExtension, valueCode: r.direction }],
    status: SERVICE_REQUEST_STATUS[referral.status],
    intent: 'order',
    category: [{ coding: [REFERRAL_CATEGORY] }],
    priority: r.priority,
    subject: patientKeyReference(r.patientKey),
    authoredOn: r.requestedAt,
    requester: organizationReference(r.sender),
    performer: [organizationReference(r.receiver)],
    ...(r.department ? { performerType: { text: r.department } } : {}),
    ...(r.reasonCode.length > 0 ? { reasonCode: [...r.reasonCode] } : {}),
    ...(supportingInfo.length > 0 ? { supportingInfo } : {}),
    ...(referral.schedule ? { occurrenceDateTime: referral.schedule.bookedFor } : {}),
  };
}

export function referralToTask(referral: ExistingReferral): fhir4.Task {
  const r = referral.request;
  const cnActivity = CN_ACTIVITY[referral.status];
  const statusReason = statusReasonOf(referral);
  const output = outputsOf(referral);
  return {
    resourceType: 'Task',
    id: r.referralId,
    status: TASK_STATUS[referral.status],
    businessStatus: {
      coding: [
        {
          system: REFERRAL_FHIR.statusSystem,
          code: referral.status,
          display: STATUS_DISPLAY[referral.status],
        },
        ...(cnActivity ? [cnActivity] : []),
      ],
      text: STATUS_DISPLAY[referral.status],
    },
    ...(statusReason ? { statusReason } : {}),
    intent: 'order',
    priority: r.priority,
    code: { coding: [{ system: REFERRAL_FHIR.taskCodeSystem, code: 'fulfill' }] },
    focus: { reference: `ServiceRequest/${r.referralId}` },
    for: patientKeyReference(r.patientKey),
    authoredOn: r.requestedAt,
    lastModified: lastModified(referral),
    requester: organizationReference(r.sender),
    owner: organizationReference(r.receiver),
    restriction: { period: { end: r.deadline } },
    ...(output.length > 0 ? { output } : {}),
  };
}

function statusReasonOf(referral: ExistingReferral): fhir4.CodeableConcept | undefined {
  if (referral.status === 'rejected') {
    const { code, text } = referral.rejection;
    return { coding: [{ system: REFERRAL_FHIR.rejectionReasonSystem, code }], ...(text ? { text } : {}) };
  }
  if (referral.status === 'cancelled' && referral.cancelReason) return { text: referral.cancelReason };
  if (referral.status === 'expired') return { text: `no answer before ${referral.request.deadline}` };
  return undefined;
}

function outputsOf(referral: ExistingReferral): fhir4.TaskOutput[] {
  const param = (code: TaskParameter, value: Omit<fhir4.TaskOutput, 'type'>): fhir4.TaskOutput => ({
    type: { coding: [{ system: REFERRAL_FHIR.taskParameterSystem, code }] },
    ...value,
  });
  const { schedule, arrivedAt, acknowledgedAt } = referral;
  const department = schedule?.department ?? referral.department;
  return [
    ...(schedule
      ? [
          param('schedule-kind', { valueCode: schedule.kind }),
          param('booked-for', { valueDateTime: schedule.bookedFor }),
          param('priority-channel', { valueBoolean: schedule.priorityChannel }),
        ]
      : []),
    ...(department ? [param('department', { valueString: department })] : []),
    ...(arrivedAt ? [param('arrived-at', { valueDateTime: arrivedAt })] : []),
    ...(acknowledgedAt ? [param('acknowledged-at', { valueDateTime: acknowledgedAt })] : []),
  ];
}

/** The latest moment the referral changed. */
function lastModified(referral: ExistingReferral): string {
  const moments = [
    referral.request.requestedAt,
    referral.acceptedAt,
    referral.schedule?.scheduledAt,
    referral.arrivedAt,
    referral.acknowledgedAt,
    'completedAt' in referral ? referral.completedAt : undefined,
    'rejectedAt' in referral ? referral.rejectedAt : undefined,
    'cancelledAt' in referral ? referral.cancelledAt : undefined,
    'expiredAt' in referral ? referral.expiredAt : undefined,
  ].filter((m): m is string => m !== undefined);
  return moments.reduce((latest, m) => (Date.parse(m) > Date.parse(latest) ? m : latest));
}
