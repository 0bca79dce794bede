import { logLevel, type logCreator } from 'kafkajs';

type Fields = Record<string, unknown>;

/**
 * What the messaging library logs through. The argument order is pino's, so a pino logger fits
 * as it is; nothing here depends on pino. Messages and fields carry ids, topics, partitions,
 * offsets and error messages only: never an event's payload (it holds patient data).
 */
export interface MessagingLogger {
  info(fields: Fields, message: string): void;
  warn(fields: Fields, message: string): void;
  error(fields: Fields, message: string): void;
}

export const silentLogger: MessagingLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** kafkajs log entries carry arbitrary extras; only these, known to be payload-free, pass. */
const KAFKAJS_FIELDS = [
  'broker',
  'clientId',
  'groupId',
  'memberId',
  'topic',
  'partition',
  'offset',
  'retryCount',
  'retryTime',
] as const;

/** Routes kafkajs' own logs (info and above) to a MessagingLogger. */
export function kafkajsLogCreator(logger: MessagingLogger): logCreator {
  return () =>
    ({ level, namespace, log }) => {
      const fields: Fields = { kafkajs: namespace };
      for (const name of KAFKAJS_FIELDS) if (log[name] !== undefined) fields[name] = log[name];
      if (log.error !== undefined) fields.error = errorMessage(log.error);
      if (level === logLevel.ERROR) logger.error(fields, log.message);
      else if (level === logLevel.WARN) logger.warn(fields, log.message);
      else if (level === logLevel.INFO) logger.info(fields, log.message);
    };
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}
