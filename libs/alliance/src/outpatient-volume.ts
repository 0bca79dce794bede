/**
 * Outpatient volume (门急诊人次) an institution reports per day, the denominator of "booked
 * referrals as a share of outpatient volume". One stream per institution; a report for a day
 * already reported with the same number is a resend, another number a correction.
 */
import {
  checkOutpatientVolumeReportedV1,
  OUTPATIENT_VOLUME_REPORTED,
  parseOutpatientVolumeReported,
  type OutpatientVolumeReportedV1,
} from './contracts';
import { AllianceRejection } from './alliance.decider';

export interface ReportOutpatientVolume {
  readonly type: 'ReportOutpatientVolume';
  /** From the credential, never from the body. */
  readonly institution: string;
  readonly day: string;
  readonly visits: number;
  readonly now: string;
}

export interface OutpatientVolumeEvent {
  readonly type: typeof OUTPATIENT_VOLUME_REPORTED;
  readonly data: OutpatientVolumeReportedV1;
}

/** Visits by day, as last reported. */
export type OutpatientVolumeState = ReadonlyMap<string, number>;

export function evolveOutpatientVolume(
  state: OutpatientVolumeState,
  event: OutpatientVolumeEvent,
): OutpatientVolumeState {
  return new Map(state).set(event.data.day, event.data.visits);
}

export function outpatientVolumeStateFrom(
  recorded: readonly { readonly type: string; readonly schemaVersion: number; readonly data: unknown }[],
): OutpatientVolumeState {
  let state: OutpatientVolumeState = new Map();
  for (const envelope of recorded) {
    const parsed = parseOutpatientVolumeReported(envelope);
    if (parsed.ok)
      state = evolveOutpatientVolume(state, { type: OUTPATIENT_VOLUME_REPORTED, data: parsed.data });
  }
  return state;
}

/** The calendar day of an instant in China Standard Time (UTC+8, no daylight saving). */
export function chinaDay(instant: string): string {
  return new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);
}

function isCalendarDay(day: string): boolean {
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}

export function reportOutpatientVolume(
  command: ReportOutpatientVolume,
  state: OutpatientVolumeState,
): OutpatientVolumeEvent[] {
  const data: OutpatientVolumeReportedV1 = {
    institution: command.institution,
    day: command.day,
    visits: command.visits,
    reportedAt: command.now,
  };
  const problems = checkOutpatientVolumeReportedV1(data, command.type);
  if (problems.length > 0) throw new AllianceRejection('validation', problems.join('; '));
  if (!isCalendarDay(command.day))
    throw new AllianceRejection('validation', `${command.type}.day: ${command.day} is not a calendar day`);
  if (command.day > chinaDay(command.now)) {
    throw new AllianceRejection('validation', `${command.type}.day: ${command.day} has not happened yet`);
  }
  if (state.get(command.day) === command.visits) return [];
  return [{ type: OUTPATIENT_VOLUME_REPORTED, data }];
}
