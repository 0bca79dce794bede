/**
 * FHIR R4 in → referral commands. A ServiceRequest (category referral) becomes RequestReferral;
 * a Task status update becomes the matching workflow command. Institutions come from the
 * credential (`actor`); the body must agree with it. Every problem names its FHIR path.
 */
import type { ReferralAllianceFacts } from '@yilian/alliance';
import { compareLevels } from '@yilian/alliance';
import type { fhir4 } from '@yilian/contracts';
import type { RequestReferral } from './referral.commands';
import {
  CN_REFERRAL_SERVICE_TYPE,
  hasCoding,
  institutionOf,
  patientKeyReference,
  REFERRAL_CATEGORY,
  REFERRAL_FHIR,
} from './referral-fhir.codes';
import type { FhirIssue, FhirMapping } from './referral-fhir.outcome';
import {
  REFERRAL_DIRECTIONS,
  REFERRAL_DOCUMENT_KINDS,
  type ReferralDirection,
  type ReferralDocument,
  type ReferralDocumentKind,
} from './contracts';

export interface ServiceRequestContext {
  readonly referralId: string;
  /** The institution of the credential. */
  readonly actor: string;
  readonly now: string;
  /** Resolved by intake from ServiceRequest.subject (patients context). */
  readonly patientKey: string;
  /** Alliance facts for a sender and receiver (the handler preloads the alliances). */
  readonly allianceFacts: (sender: string, receiver: string) => ReferralAllianceFacts | undefined;
}

const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const DOCUMENT_TYPES = ['DocumentReference', 'Binary', 'Composition'];

export function serviceRequestToCommand(
  sr: fhir4.ServiceRequest,
  context: ServiceRequestContext,
): FhirMapping<RequestReferral> {
  const issues: FhirIssue[] = [];
  const issue = (code: FhirIssue['code'], path: string, message: string) =>
    issues.push({ code, path, message });
  if (sr.resourceType !== 'ServiceRequest') issue('invalid', 'ServiceRequest', 'expected a ServiceRequest');
  const isReferral = (sr.category ?? []).some(
    (c) =>
      hasCoding(c, REFERRAL_CATEGORY.system!, REFERRAL_CATEGORY.code) ||
      hasCoding(c, CN_REFERRAL_SERVICE_TYPE.system!, CN_REFERRAL_SERVICE_TYPE.code),
  );
  if (!isReferral)
    issue('required', 'ServiceRequest.category', 'a referral needs category SNOMED CT 3457005');
  if (sr.status !== 'active') {
    issue(
      'not-supported',
      'ServiceRequest.status',
      `a new referral is active (not ${sr.status}); later changes go by Task`,
    );
  }
  const sender = institutionOf(sr.requester);
  if (!sender)
    issue('required', 'ServiceRequest.requester', 'the requesting Organization, by institution code');
  else if (sender !== context.actor) {
    issue(
      'forbidden',
      'ServiceRequest.requester',
      `requester ${sender} is not the authenticated institution ${context.actor}`,
    );
  }
  const performers = sr.performer ?? [];
  const receiver = institutionOf(performers[0]);
  if (!receiver)
    issue('required', 'ServiceRequest.performer[0]', 'the receiving Organization, by institution code');
  if (performers.length > 1)
    issue('not-supported', 'ServiceRequest.performer[1]', 'a referral has one receiver');
  if (!sr.subject) issue('required', 'ServiceRequest.subject', 'the patient');
  if ((sr.reasonCode ?? []).length === 0)
    issue('required', 'ServiceRequest.reasonCode', 'the reason for referral');

  const supportingInfo: string[] = [];
  const documents: ReferralDocument[] = [];
  for (const [i, ref] of (sr.supportingInfo ?? []).entries()) {
    const path = `ServiceRequest.supportingInfo[${i}]`;
    const reference = ref.reference ?? '';
    if (!RELATIVE_REFERENCE.test(reference)) {
      issue('invalid', path, 'a relative reference Type/id: results are referenced, not sent inline');
      continue;
    }
    const kindExtension = ref.extension?.find((e) => e.url === REFERRAL_FHIR.documentKindExtension);
    const kind =
      kindExtension?.valueCode ?? (DOCUMENT_TYPES.includes(reference.split('/')[0]!) ? 'other' : undefined);
    if (kind === undefined) supportingInfo.push(reference);
    else if (!REFERRAL_DOCUMENT_KINDS.includes(kind as ReferralDocumentKind)) {
      issue(
        'code-invalid',
        `${path}.extension`,
        `document kind ${kind} is not one of ${REFERRAL_DOCUMENT_KINDS.join(', ')}`,
      );
    } else {
      documents.push({
        kind: kind as ReferralDocumentKind,
        reference,
        ...(ref.display ? { title: ref.display } : {}),
      });
    }
  }

  const alliance = sender && receiver ? context.allianceFacts(sender, receiver) : undefined;
  const direction = directionOf(sr, alliance, issue);
  if (issues.length > 0 || !sender || !receiver || !direction) return { ok: false, issues };
  const department = sr.performerType?.text ?? sr.performerType?.coding?.[0]?.display;
  return {
    ok: true,
    command: {
      type: 'RequestReferral',
      referralId: context.referralId,
      actor: context.actor,
      now: context.now,
      receiver,
      direction,
      patientKey: context.patientKey,
      priority: sr.priority ?? 'routine',
      reasonCode: sr.reasonCode ?? [],
      supportingInfo,
      documents,
      ...(department ? { department } : {}),
      serviceRequest: withoutPatientDetails(sr, context.patientKey),
      alliance,
    },
  };
}

/** The direction extension when sent; otherwise from the alliance levels (to a higher level is
 * upward, to a lower downward). Same level, no extension: the sender must say. No shared
 * alliance: upward stands in, and the decider refuses the referral as not-alliance-member. */
function directionOf(
  sr: fhir4.ServiceRequest,
  alliance: ReferralAllianceFacts | undefined,
  issue: (code: FhirIssue['code'], path: string, message: string) => void,
): ReferralDirection | undefined {
  const index = (sr.extension ?? []).findIndex((e) => e.url === REFERRAL_FHIR.directionExtension);
  if (index >= 0) {
    const code = sr.extension![index]!.valueCode;
    if (REFERRAL_DIRECTIONS.includes(code as ReferralDirection)) return code as ReferralDirection;
    issue('code-invalid', `ServiceRequest.extension[${index}].valueCode`, 'upward or downward');
    return undefined;
  }
  if (!alliance) return 'upward';
  const order = compareLevels(alliance.receiverLevel, alliance.senderLevel);
  if (order !== 0) return order > 0 ? 'upward' : 'downward';
  issue(
    'required',
    'ServiceRequest.extension',
    `direction: both are ${alliance.senderLevel}; send ${REFERRAL_FHIR.directionExtension}`,
  );
  return undefined;
}

/** The ServiceRequest as sent, minus what could name the patient: subject becomes the patient
 * key, contained resources and narrative go. */
function withoutPatientDetails(sr: fhir4.ServiceRequest, patientKey: string): fhir4.ServiceRequest {
  const { contained: _contained, text: _text, ...rest } = sr;
  return { ...rest, subject: patientKeyReference(patientKey) };
}
