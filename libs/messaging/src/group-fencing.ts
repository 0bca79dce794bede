import type { Kafka } from 'kafkajs';
import type { MessagingLogger } from './logger';

/* kafkajs 2.2.4 (pinned) has no static group membership (KIP-345's group.instance.id: its
 * JoinGroup always sends null), so a member restarted after a crash joins as a new member, and
 * the group — every member, not only the new one — waits until the dead member's session
 * expires before it re-forms. This does what static membership does for a restarted instance:
 * it removes the previous incarnation from the group (LeaveGroup on its behalf) before joining.
 * The admin API has no LeaveGroup, so this goes through kafkajs' internal cluster client. */

interface CoordinatorBroker {
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<CoordinatorBroker>;
}

function internalCluster(kafka: Kafka): InternalCluster {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = key && (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function') throw new Error('kafkajs internals changed: no createCluster');
  return (create as (o: object) => InternalCluster)({});
}

/**
 * Removes from `groupId` every member whose client id is `clientId` — this instance's earlier
 * incarnations (a stable client id per instance is the contract, as group.instance.id is) —
 * so that the group re-forms at once instead of after their session timeout. Returns how many
 * it removed. A live member under the same id (a misconfiguration) is removed too, rejoins
 * under a new member id and gets a share again: the group churns, nothing is lost (at least
 * once, idempotent handlers).
 */
export async function fenceEarlierIncarnations(
  kafka: Kafka,
  groupId: string,
  clientId: string,
  logger?: MessagingLogger,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let stale: string[];
  try {
    const { groups } = await admin.describeGroups([groupId]);
    stale = (groups[0]?.members ?? []).filter((m) => m.clientId === clientId).map((m) => m.memberId);
  } finally {
    await admin.disconnect();
  }
  if (stale.length === 0) return 0;
  const cluster = internalCluster(kafka);
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    for (const memberId of stale) await coordinator.leaveGroup({ groupId, memberId });
  } finally {
    await cluster.disconnect();
  }
  logger?.info({ groupId, clientId, removed: stale.length }, 'earlier incarnation removed from the group');
  return stale.length;
}
