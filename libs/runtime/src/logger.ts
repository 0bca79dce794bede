import pino from 'pino';

/** Structured JSON logs. Never log payloads or identifiers: patient data stays out of logs. */
export type Logger = pino.Logger;

export function createLogger(app: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: app,
    level,
    redact: {
      paths: ['*.authorization', '*.apiKey', '*.residentId', '*.name', '*.idNumber'],
      censor: '[redacted]',
    },
  });
}
