/**
 * Pure queries over alliance membership, for the referral handler: it loads the alliances,
 * asks these, and passes the answer into the referral command, so the referral decider stays
 * pure and the rule "sender and receiver share an alliance" is decided from data.
 */
import type { AllianceState, RegisteredAlliance } from './alliance.state';
import { INSTITUTION_LEVELS, type AllianceRole, type InstitutionLevel } from './contracts';

export interface AllianceMembership {
  readonly allianceId: string;
  readonly institution: string;
  readonly level: InstitutionLevel;
  readonly role: AllianceRole;
}

export interface AllianceTerms {
  readonly allianceId: string;
  readonly referralResponseHours: number;
}

/** What the referral decider needs to know about the alliance a referral goes through. */
export interface ReferralAllianceFacts extends AllianceTerms {
  readonly senderLevel: InstitutionLevel;
  readonly receiverLevel: InstitutionLevel;
}

function registeredOnly(alliances: readonly AllianceState[]): RegisteredAlliance[] {
  return alliances.filter((a): a is RegisteredAlliance => a.status === 'registered');
}

export function membershipsOf(alliances: readonly AllianceState[]): AllianceMembership[] {
  return registeredOnly(alliances).flatMap((a) =>
    a.members.map(({ institution, level, role }) => ({ allianceId: a.allianceId, institution, level, role })),
  );
}

export function termsOf(alliances: readonly AllianceState[]): AllianceTerms[] {
  return registeredOnly(alliances).map(({ allianceId, referralResponseHours }) => ({
    allianceId,
    referralResponseHours,
  }));
}

/** The alliances both institutions currently belong to, by id. */
export function sharedAlliances(memberships: readonly AllianceMembership[], a: string, b: string): string[] {
  const of = (institution: string) =>
    new Set(memberships.filter((m) => m.institution === institution).map((m) => m.allianceId));
  const ofB = of(b);
  return [...of(a)].filter((allianceId) => ofB.has(allianceId)).sort();
}

export function shareAlliance(memberships: readonly AllianceMembership[], a: string, b: string): boolean {
  return a !== b && sharedAlliances(memberships, a, b).length > 0;
}

/** Of the given alliances, the one with the strictest (shortest) referral response time; a tie
 * goes to the smaller alliance id, so the answer never depends on load order. */
export function responseHoursFor(
  terms: readonly AllianceTerms[],
  allianceIds: readonly string[],
): AllianceTerms | undefined {
  return terms
    .filter((t) => allianceIds.includes(t.allianceId))
    .sort(
      (x, y) => x.referralResponseHours - y.referralResponseHours || x.allianceId.localeCompare(y.allianceId),
    )[0];
}

export function levelIn(
  memberships: readonly AllianceMembership[],
  allianceId: string,
  institution: string,
): InstitutionLevel | undefined {
  return memberships.find((m) => m.allianceId === allianceId && m.institution === institution)?.level;
}

/** Negative when `a` is the lower level: primary < secondary < tertiary. */
export function compareLevels(a: InstitutionLevel, b: InstitutionLevel): number {
  return INSTITUTION_LEVELS.indexOf(b) - INSTITUTION_LEVELS.indexOf(a);
}

/** The facts a RequestReferral carries: undefined when sender and receiver share no alliance. */
export function referralAllianceFacts(
  alliances: readonly AllianceState[],
  sender: string,
  receiver: string,
): ReferralAllianceFacts | undefined {
  const memberships = membershipsOf(alliances);
  if (!shareAlliance(memberships, sender, receiver)) return undefined;
  const terms = responseHoursFor(termsOf(alliances), sharedAlliances(memberships, sender, receiver));
  if (!terms) return undefined;
  const senderLevel = levelIn(memberships, terms.allianceId, sender);
  const receiverLevel = levelIn(memberships, terms.allianceId, receiver);
  if (!senderLevel || !receiverLevel) return undefined;
  return { ...terms, senderLevel, receiverLevel };
}
