/** Institutions, times and events the referral specs share: a community centre (C-01), a
 * tertiary hospital (H-01), and a third institution (H-99) outside the referral. */
import type { ReferralAllianceFacts } from '@yilian/alliance';
import type { RequestReferral } from '../referral.commands';
import type * as c from '../contracts';

export const COMMUNITY = 'C-01';
export const HOSPITAL = 'H-01';
export const THIRD = 'H-99';
export const PATIENT_KEY = 'pk_7xq2m4k5v6w3nbrt2jd6hyl4ce';
export const REFERRAL_ID = 'ref-2026-0001';

/** 09:00 Beijing time; with 48 response hours the deadline is 2026-03-04T01:00Z. */
export const T0 = '2026-03-02T09:00:00+08:00';
export const DEADLINE = '2026-03-04T01:00:00.000Z';
export const at = (hoursAfterT0: number): string =>
  new Date(Date.parse(T0) + hoursAfterT0 * 3_600_000).toISOString();

export const upwardFacts: ReferralAllianceFacts = {
  allianceId: 'HZ-UG-1',
  referralResponseHours: 48,
  senderLevel: 'primary',
  receiverLevel: 'tertiary',
};
export const downwardFacts: ReferralAllianceFacts = {
  ...upwardFacts,
  senderLevel: 'tertiary',
  receiverLevel: 'primary',
};

export const reasonCode = [
  { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I21.9', display: '急性心肌梗死' }] },
];

export const upwardRequest: RequestReferral = {
  type: 'RequestReferral',
  referralId: REFERRAL_ID,
  actor: COMMUNITY,
  now: T0,
  receiver: HOSPITAL,
  direction: 'upward',
  patientKey: PATIENT_KEY,
  priority: 'urgent',
  reasonCode,
  supportingInfo: ['DiagnosticReport/lab-77', 'labreport-C-01-A1001'],
  documents: [],
  alliance: upwardFacts,
};

export const dischargeSummary: c.ReferralDocument = {
  kind: 'discharge-summary',
  reference: 'DocumentReference/ds-1',
  title: '出院小结',
};
export const followUpPlan: c.ReferralDocument = {
  kind: 'follow-up-plan',
  reference: 'DocumentReference/fp-1',
  title: '后续治疗方案',
};

export const downwardRequest: RequestReferral = {
  ...upwardRequest,
  actor: HOSPITAL,
  receiver: COMMUNITY,
  direction: 'downward',
  priority: 'routine',
  supportingInfo: [],
  documents: [dischargeSummary, followUpPlan],
  alliance: downwardFacts,
};

const requestData = (r: RequestReferral, deadline = DEADLINE): c.ReferralRequestedV1 => ({
  referralId: r.referralId,
  direction: r.direction,
  sender: r.actor,
  receiver: r.receiver,
  allianceId: 'HZ-UG-1',
  patientKey: r.patientKey,
  priority: r.priority,
  reasonCode: r.reasonCode,
  supportingInfo: r.supportingInfo,
  documents: r.documents,
  requestedAt: r.now,
  responseHours: 48,
  deadline,
});

export const requested: c.ReferralEvent = { type: 'ReferralRequested', data: requestData(upwardRequest) };
export const requestedDownward: c.ReferralEvent = {
  type: 'ReferralRequested',
  data: requestData(downwardRequest),
};

const id = { referralId: REFERRAL_ID };
export const accepted = (receiver = HOSPITAL, hours = 2): c.ReferralEvent => ({
  type: 'ReferralAccepted',
  data: { ...id, receiver, acceptedAt: at(hours) },
});
export const rejected = (code: c.RejectionReasonCode = 'no-capacity', hours = 2): c.ReferralEvent => ({
  type: 'ReferralRejected',
  data: { ...id, receiver: HOSPITAL, rejectedAt: at(hours), reason: { code, text: '心内科床位已满' } },
});
export const scheduled = (bookedFor = at(24), hours = 3): c.ReferralEvent => ({
  type: 'ReferralScheduled',
  data: {
    ...id,
    receiver: HOSPITAL,
    kind: 'admission',
    bookedFor,
    priorityChannel: true,
    department: '心内科',
    scheduledAt: at(hours),
  },
});
export const arrived = (receiver = HOSPITAL, hours = 24): c.ReferralEvent => ({
  type: 'ReferralArrived',
  data: { ...id, receiver, arrivedAt: at(hours) },
});
export const completed = (receiver = HOSPITAL, hours = 120): c.ReferralEvent => ({
  type: 'ReferralCompleted',
  data: { ...id, receiver, completedAt: at(hours) },
});
export const cancelled = (sender = COMMUNITY, hours = 1): c.ReferralEvent => ({
  type: 'ReferralCancelled',
  data: { ...id, sender, cancelledAt: at(hours), reason: '患者改变主意' },
});
export const expired = (hours = 48): c.ReferralEvent => ({
  type: 'ReferralExpired',
  data: { ...id, deadline: DEADLINE, expiredAt: at(hours) },
});
export const acknowledged = (hours = 3): c.ReferralEvent => ({
  type: 'DownwardReferralAcknowledged',
  data: { ...id, receiver: COMMUNITY, acknowledgedAt: at(hours) },
});
