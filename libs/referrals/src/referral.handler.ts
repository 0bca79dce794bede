/**
 * A referral command from any door (FHIR, HL7 v2, the console's JSON actions, the expiry
 * scheduler) to durable events: load `referral-{id}` → decide → append with the expected
 * revision. Every event carries the referral's patient key in its metadata (the Kafka key),
 * never an identifier. Throws ReferralRejection when a rule is broken: nothing is appended.
 */
import { decideAndAppend, type CommandSource, type Handled } from '@yilian/alliance';
import type { EventStore } from '@yilian/event-store';
import type { ReferralCommand } from './referral.commands';
import { decideReferral } from './referral.decider';
import { evolveReferral, referralStateFrom, type ReferralState } from './referral.state';
import { REFERRAL_REQUESTED, referralStream, type ReferralEvent } from './contracts';

export type { CommandSource } from '@yilian/alliance';
export type HandledReferral = Handled<ReferralState>;

function patientKeyOf(state: ReferralState, events: readonly ReferralEvent[]): string | undefined {
  if (state.status !== 'none') return state.request.patientKey;
  const first = events[0];
  return first?.type === REFERRAL_REQUESTED ? first.data.patientKey : undefined;
}

export function handleReferralCommand(
  store: EventStore,
  command: ReferralCommand,
  source: CommandSource,
): Promise<HandledReferral> {
  return decideAndAppend(store, {
    stream: referralStream(command.referralId),
    stateFrom: referralStateFrom,
    decide: (state: ReferralState) => decideReferral(command, state),
    evolve: evolveReferral,
    patientKeyOf,
    source,
    now: command.now,
  });
}
