/* Run by kafka-crash.int.spec.ts as its own process: a group member that handles events until
 * it is told which one to hang on, says so on stdout, and is then killed with SIGKILL. */
import { KafkaEventConsumer } from './consumer';
import { readKafkaConfig } from './kafka-config';

const hangOn = process.env.CRASH_HANG_ON_EVENT;
const groupId = process.env.CRASH_GROUP_ID;
if (!hangOn || !groupId) throw new Error('CRASH_HANG_ON_EVENT and CRASH_GROUP_ID must be set');

const consumer = new KafkaEventConsumer(readKafkaConfig(), {
  groupId,
  topics: ['results'],
  sessionTimeoutMs: Number(process.env.CRASH_SESSION_TIMEOUT_MS ?? 3_000),
  heartbeatIntervalMs: 300,
  maxWaitTimeMs: 250,
});
void consumer.run(async (event) => {
  if (event.id !== hangOn) return void process.stdout.write(`HANDLED ${event.id}\n`);
  process.stdout.write(`IN_FLIGHT ${event.id}\n`);
  await new Promise(() => undefined);
});
