/**
 * Whether an error from the read-model database says the database could not do the work right
 * now (unreachable, restarting, out of connections, a deadlock) rather than that the event is
 * one it cannot apply. The projector retries the former for as long as it lasts and never
 * dead-letters an event for it; anything else (a constraint, bad data, a projection's own
 * TypeError) counts towards the attempts after which the event goes to the dead-letter topic.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  // Duck-typed: errors made by Node itself need not be instances of this realm's Error.
  if (typeof error !== 'object' || error === null) return false;
  const { code, syscall, message } = error as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // A Node system error (ECONNREFUSED, ECONNRESET, ENOENT of a Unix socket, …) on the way to
    // the server.
    if (NETWORK_CODES.has(code) || syscall === 'connect') return true;
    if (SQLSTATE.test(code)) return TRANSIENT_SQLSTATE.some((prefix) => code.startsWith(prefix));
  }
  // node-postgres' own, without a code: the server went away or never answered in time.
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m));
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

const TRANSIENT_SQLSTATE = [
  '08', // connection exception
  '53', // insufficient resources: disk full, out of memory, too many connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '58', // system error: I/O
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
];

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];
