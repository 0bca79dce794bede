/* At-least-once across a real crash: a consumer process killed with SIGKILL in the middle of a
 * handler leaves that message uncommitted, and the group's next member handles it again. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { KafkaEventConsumer } from './consumer';
import { createKafka, type KafkaConfig } from './kafka-config';
import { recordedEvent, waitFor } from './kafka-messaging.fixtures';
import { ensureTopics, KafkaEventPublisher } from './publisher';

const prefix = testTopicPrefix('crash');
const config: KafkaConfig = { brokers: testKafkaBrokers(), clientId: 'crash-spec', topicPrefix: prefix };
const groupId = `${prefix}projector`;

/** A member in its own process, killed with SIGKILL while it handles the 10th of 20 events. */
async function crashMember(o: { groupId: string; clientId: string; sessionTimeoutMs: number }) {
  await ensureTopics(createKafka(config), prefix, 3);
  const events = Array.from({ length: 20 }, (_, n) => recordedEvent(`labreport-ORG1-A${n % 4}`, n >> 2));
  const publisher = new KafkaEventPublisher(config);
  await publisher.connect();
  await publisher.publish(events);
  await publisher.disconnect();
  const hangOn = events[9]!.id;

  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'crash-child.fixture.ts')],
    {
      cwd: join(__dirname, '..', '..', '..'),
      env: {
        ...process.env,
        KAFKA_BROKERS: config.brokers.join(','),
        KAFKA_CLIENT_ID: o.clientId,
        KAFKA_TOPIC_PREFIX: prefix,
        CRASH_GROUP_ID: o.groupId,
        CRASH_SESSION_TIMEOUT_MS: String(o.sessionTimeoutMs),
        CRASH_HANG_ON_EVENT: hangOn,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise((ok) => child.once('exit', ok));
  const before = new Set<string>();
  let inFlight: string | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [what, id] = line.split(' ');
    if (what === 'HANDLED') before.add(id!);
    if (what === 'IN_FLIGHT') inFlight = id;
  });
  try {
    await waitFor(() => inFlight !== undefined, 'the child to be inside the handler');
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return { events, before, inFlight, hangOn };
}

test('a member killed mid-handler: the message comes again to the next member, none lost', async () => {
  const { events, before, inFlight, hangOn } = await crashMember({
    groupId,
    clientId: 'crash-child',
    sessionTimeoutMs: 3_000,
  });
  const after = new Set<string>();
  const next = new KafkaEventConsumer(config, { groupId, topics: ['results'], maxWaitTimeMs: 250 });
  try {
    await next.run(async (e) => void after.add(e.id));
    await waitFor(() => events.every((e) => before.has(e.id) || after.has(e.id)), 'every event handled');
  } finally {
    await next.stop();
  }
  expect(inFlight).toBe(hangOn);
  expect(before.has(hangOn)).toBe(false);
  expect(after.has(hangOn)).toBe(true);
  expect([...before].filter((id) => after.has(id))).toEqual([]);
}, 90_000);

test('a member restarted under its client id does not wait out its dead incarnation’s session', async () => {
  // The dead member's session (120 s) and the group's rebalance timeout (kafkajs: 60 s, after
  // which a member that did not rejoin is dropped) outlast this test (45 s): the restarted
  // member joins, and gets the partitions, only because it removed its earlier incarnation.
  const fencedGroup = `${prefix}fenced`;
  const { events, before } = await crashMember({
    groupId: fencedGroup,
    clientId: 'projector-a',
    sessionTimeoutMs: 120_000,
  });
  const after = new Set<string>();
  const restarted = new KafkaEventConsumer(
    { ...config, clientId: 'projector-a' },
    { groupId: fencedGroup, topics: ['results'], maxWaitTimeMs: 250, stableClientId: true },
  );
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    await restarted.run(async (e) => void after.add(e.id));
    await waitFor(() => events.every((e) => before.has(e.id) || after.has(e.id)), 'every event handled');
    const { groups } = await admin.describeGroups([fencedGroup]);
    expect(groups[0]!.members).toHaveLength(1);
    expect(restarted.state).toBe('running');
    expect(Object.values(restarted.assignment).flat()).toHaveLength(3);
  } finally {
    await admin.disconnect();
    await restarted.stop();
  }
}, 45_000);
