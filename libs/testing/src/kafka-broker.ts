/* A real single-node Apache Kafka broker (KRaft, combined broker + controller) for the tests,
 * run from the jars scripts/kafka/fetch.sh puts in .cache/kafka/libs (Maven Central). */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { spawnTiedToUs } from './child-process';
import { freePort } from './embedded-postgres';

export interface RunningKafka {
  readonly brokers: string[];
  /** The log directory (`log.dirs`): a broker started again with `reuse` keeps its data. */
  readonly logDir: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: nothing flushed, nothing said to clients. */
  kill(): Promise<void>;
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
export async function startKafkaBroker(options: {
  dir: string;
  log?: (line: string) => void;
  /** Start on the data and ports a broker left in `dir` (after a crash, say); a fresh
   * broker if there is none. By default `dir` is formatted anew. */
  reuse?: boolean;
  /** Whether a producer or consumer naming an unknown topic creates it (default true); a
   * deployment turns it off, so that only ensureTopics makes topics. */
  autoCreateTopics?: boolean;
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

  const props = join(dir, 'server.properties');
  const logDir = join(dir, 'data');
  const kept = options.reuse && existsSync(join(logDir, 'meta.properties')) ? readPort(props) : undefined;
  const port = kept ?? (await freePort());
  if (kept === undefined) {
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    writeFileSync(props, serverProperties(port, controllerPort, logDir, options.autoCreateTopics ?? true));
    // base64url of 16 random bytes, as Kafka makes them — and like Kafka, never one starting
    // with '-', which the storage tool would read as an option (1 run in 64 failed at start-up)
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    await run(
      JAVA,
      java(useCds, 'kafka.tools.StorageTool', 'format', '--standalone', '-t', clusterId, '-c', props),
    );
  }

  const dumpFlags = dumpTo ? [`-XX:ArchiveClassesAtExit=${dumpTo}`] : useCds;
  const child = spawnTiedToUs('kafka-broker', JAVA, java(dumpFlags, 'kafka.Kafka', props), { cwd: dir });
  const tail = collectLines(child, options.log);
  const exited = new Promise<number | string>((ok) =>
    child.once('exit', (code, signal) => ok(code ?? signal ?? '?')),
  );
  const brokers = [`127.0.0.1:${port}`];
  const stop = async (): Promise<void> => {
    const status = await terminate(child, exited);
    child.stdin?.destroy();
    if (dumpTo && existsSync(dumpTo)) {
      if (status === 'SIGKILL') rmSync(dumpTo, { force: true });
      else renameSync(dumpTo, cds);
    }
  };

  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    child.stdin?.destroy();
    if (dumpTo) rmSync(dumpTo, { force: true });
  };

  const started = Date.now();
  for (;;) {
    const outcome = await Promise.race([exited.then((s) => `exited (${s})`), probe(brokers)]);
    if (outcome === true) return { brokers, logDir, stop, kill };
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

/** The client port a broker's server.properties gives it. */
function readPort(props: string): number | undefined {
  const found = /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:(\d+),/m.exec(readFileSync(props, 'utf8'));
  return found ? Number(found[1]) : undefined;
}

function serverProperties(port: number, controllerPort: number, logDir: string, autoCreate: boolean): string {
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
    `auto.create.topics.enable=${autoCreate}`,
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
