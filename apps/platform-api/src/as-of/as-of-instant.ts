import { isInstant } from '@yilian/contracts';
import { FhirHttpError } from '@yilian/runtime';

/** The moment an as-of read asks about (`_at`): an ISO 8601 instant with a time zone, not in the
 * future (what the hub will know then is not recorded yet). Else 400 naming the parameter. */
export function asOfInstant(raw: unknown, now: Date = new Date(), parameter = '_at'): string {
  const value = Array.isArray(raw) ? raw : [raw];
  if (value.length !== 1 || typeof value[0] !== 'string' || !isInstant(value[0]))
    throw FhirHttpError.of(
      400,
      'invalid',
      `${parameter} must be one ISO 8601 instant with a time zone (e.g. 2026-12-07T08:00:00+08:00)`,
      parameter,
    );
  const at = new Date(Date.parse(value[0]));
  if (at.getTime() > now.getTime())
    throw FhirHttpError.of(
      400,
      'invalid',
      `${parameter} ${value[0]} is in the future: the hub answers only what it knew at a past moment`,
      parameter,
    );
  return at.toISOString();
}

/** True when the event was recorded at or before the instant (ISO strings, compared as times). */
export function recordedBy(event: { readonly recordedAt: string }, at: string): boolean {
  return Date.parse(event.recordedAt) <= Date.parse(at);
}
