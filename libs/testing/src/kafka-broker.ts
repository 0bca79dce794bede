/* A real single-node Apache Kafka broker (KRaft, combined broker + controller) for the tests,
 * run from the jars scripts/kafka/fetch.sh puts in .cache/kafka/libs (Maven Central). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './embedded-postgres';

export interface RunningKafka {
  readonly brokers: string[];
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..', '..');
const CACHE = join(ROOT, '.cache', 'kafka');
const LIBS = join(CACHE, 'libs');
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
// Lean JVM: small heap, serial GC, C1 only; slf4j-simple without the config dumps.
const JVM = [
  '-Xms128m',
  '-Xmx768m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xlog:cds*=error',
  '-Djava.awt.headless=true',
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
  '-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn',
];
/* Started through bash so that the broker dies with this process, however it dies: a watchdog
 * holds our stdin pipe and, on EOF (we exited or were killed), sends SIGTERM, then SIGKILL.
 * `exec` makes the child's pid the JVM's, so stop() signals the broker itself. */
const WATCHDOG = `exec 3<&0
(cat <&3 >/dev/null; kill -TERM $$ || exit 0
  for _ in $(seq 60); do sleep 0.25; kill -0 $$ || exit 0; done; kill -KILL $$) >/dev/null 2>&1 &
exec "$@" </dev/null 3<&-`;

export async function startKafkaBroker(options: {
  dir: string;
  log?: (line: string) => void;
}): Promise<RunningKafka> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  await run('bash', [join(ROOT, 'scripts', 'kafka', 'fetch.sh')]);
  // A class-data-sharing archive of the broker's classes, dumped at the first clean stop,
  // makes later starts ~1 s faster; keyed by the jar set (the marker holds the pom's hash).
  // Dumped into the cache, not into dir: the test teardown may remove dir first.
  const jarSet = readFileSync(join(LIBS, '.fetched'), 'utf8').trim().slice(0, 16);
  const cds = join(CACHE, `broker-${jarSet}.jsa`);
  const dumpTo = existsSync(cds) ? undefined : `${cds}.${process.pid}.tmp`;
  const useCds = dumpTo ? [] : [`-XX:SharedArchiveFile=${cds}`];
  const java = (flags: string[], ...mainAndArgs: string[]) => [
    ...JVM,
    ...flags,
    '-cp',
    `${LIBS}/*`,
    ...mainAndArgs,
  ];

  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties(port, controllerPort, join(dir, 'data')));
  // base64url of 16 random bytes, as Kafka makes them — and like Kafka, never one starting with
  // '-', which the storage tool would read as an option (1 run in 64 failed at start-up)
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  await run(
    JAVA,
    java(useCds, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', props),
  );

  const dumpFlags = dumpTo ? [`-XX:ArchiveClassesAtExit=${dumpTo}`] : useCds;
  const child = spawn(
    'bash',
    ['-c', WATCHDOG, 'kafka-broker', JAVA, ...java(dumpFlags, 'kafka.Kafka', props)],
    {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const tail = collectLines(child, options.log);
  const exited = new Promise<number | string>((ok) =>
    child.once('exit', (code, signal) => ok(code ?? signal ?? '?')),
  );
  const brokers = [`127.0.0.1:${port}`];
  const stop = async (): Promise<void> => {
    const status = await terminate(child, exited);
    child.stdin.destroy();
    if (dumpTo && existsSync(dumpTo)) {
      if (status === 'SIGKILL') rmSync(dumpTo, { force: true });
      else renameSync(dumpTo, cds);
    }
  };

  const started = Date.now();
  for (;;) {
    const outcome = await Promise.race([exited.then((s) => `exited (${s})`), probe(brokers)]);
    if (outcome === true) return { brokers, stop };
    if (typeof outcome === 'string' || Date.now() - started > READY_TIMEOUT_MS) {
      await stop();
      const why = typeof outcome === 'string' ? outcome : `not ready after ${READY_TIMEOUT_MS} ms`;
      throw new Error(`Kafka broker ${why}; its last log lines:\n${tail.join('\n')}`);
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

async function run(file: string, args: string[]): Promise<void> {
  await promisify(execFile)(file, args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
}

/** Passes the broker's output on line by line; keeps the last lines for error messages. */
function collectLines(child: ChildProcess, log?: (line: string) => void): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        log?.(line);
      }
    });
  }
  return tail;
}

async function terminate(child: ChildProcess, exited: Promise<number | string>): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), STOP_TIMEOUT_MS)));
  const first = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  child.kill('SIGKILL');
  await exited;
  return 'SIGKILL';
}

/** True once a client can connect and list topics (the broker is unfenced and serving). */
async function probe(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'kafka-broker-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
    requestTimeout: 2000,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'auto.create.topics.enable=true',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Lets tests use short consumer sessions, so a crashed member is noticed quickly.
    'group.min.session.timeout.ms=1000',
  ].join('\n')}\n`;
}
