/** The alliance events as the decider produces them (`{type, data}`) and a parser for consumers. */
import type { DataCheck } from '../referrals/schema';
import {
  ALLIANCE_REGISTERED,
  checkAllianceRegisteredV1,
  type AllianceRegisteredV1,
} from './alliance-registered.v1';
import {
  checkInstitutionJoinedAllianceV1,
  INSTITUTION_JOINED_ALLIANCE,
  type InstitutionJoinedAllianceV1,
} from './institution-joined-alliance.v1';
import {
  checkInstitutionLeftAllianceV1,
  INSTITUTION_LEFT_ALLIANCE,
  type InstitutionLeftAllianceV1,
} from './institution-left-alliance.v1';

export type AllianceEvent =
  | { readonly type: typeof ALLIANCE_REGISTERED; readonly data: AllianceRegisteredV1 }
  | { readonly type: typeof INSTITUTION_JOINED_ALLIANCE; readonly data: InstitutionJoinedAllianceV1 }
  | { readonly type: typeof INSTITUTION_LEFT_ALLIANCE; readonly data: InstitutionLeftAllianceV1 };

export type AllianceEventType = AllianceEvent['type'];

export const ALLIANCE_EVENT_SCHEMA_VERSION = 1;

const CHECKS: { readonly [T in AllianceEventType]: DataCheck } = {
  [ALLIANCE_REGISTERED]: checkAllianceRegisteredV1,
  [INSTITUTION_JOINED_ALLIANCE]: checkInstitutionJoinedAllianceV1,
  [INSTITUTION_LEFT_ALLIANCE]: checkInstitutionLeftAllianceV1,
};

export const ALLIANCE_EVENT_TYPES = Object.keys(CHECKS) as readonly AllianceEventType[];

export function isAllianceEventType(type: string): type is AllianceEventType {
  return Object.hasOwn(CHECKS, type);
}

export type ParsedAllianceEvent =
  | { readonly ok: true; readonly event: AllianceEvent }
  | { readonly ok: false; readonly problems: readonly string[] };

export function parseAllianceEvent(event: {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}): ParsedAllianceEvent {
  if (!isAllianceEventType(event.type))
    return { ok: false, problems: [`type: not an alliance event: ${event.type}`] };
  if (event.schemaVersion !== ALLIANCE_EVENT_SCHEMA_VERSION)
    return { ok: false, problems: [`schemaVersion: ${event.type} has no version ${event.schemaVersion}`] };
  const problems = CHECKS[event.type](event.data, 'data');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, event: { type: event.type, data: event.data } as AllianceEvent };
}
