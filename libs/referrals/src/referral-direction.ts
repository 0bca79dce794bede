import { compareLevels, type ReferralAllianceFacts } from '@yilian/alliance';
import type { ReferralDirection } from './contracts';

/** To a higher level is upward (上转), to a lower one downward (下转); between two institutions
 * of the same level, undefined: the sender must say. */
export function directionFromLevels(alliance: ReferralAllianceFacts): ReferralDirection | undefined {
  const order = compareLevels(alliance.receiverLevel, alliance.senderLevel);
  return order === 0 ? undefined : order > 0 ? 'upward' : 'downward';
}
