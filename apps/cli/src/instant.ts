import { UsageError } from './usage-error';

/** An ISO 8601 instant with its offset (2026-03-01T08:00:00+08:00 or …Z): a moment, never a
 * local time that would depend on the machine's zone. */
export function parseInstant(text: string, flag: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime()))
    throw new UsageError(
      `${flag} must be an ISO 8601 instant with its offset (e.g. 2026-03-01T08:00:00+08:00), not ${JSON.stringify(text)}`,
    );
  return date;
}
