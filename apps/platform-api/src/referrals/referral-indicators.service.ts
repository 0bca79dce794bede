import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  bookedShareOfOutpatient,
  groupByPeriod,
  isOutpatientBooking,
  periodOf,
  referralBoardRowFrom,
  referralKpis,
  type Granularity,
  type ReferralBoardRow,
  type ReferralKpis,
} from '@yilian/referrals';
import { READ_MODEL_POOL } from '@yilian/runtime';

export type IndicatorScope = { readonly institution: string } | { readonly alliance: string };

interface PeriodIndicators {
  readonly period: string;
  /** Institution scope: what it sent and what it received. Alliance scope: all referrals. */
  readonly sent?: ReferralKpis;
  readonly received?: ReferralKpis;
  readonly referrals?: ReferralKpis;
  /** Appointments and examinations booked for referred patients at the institution (or the
   * alliance's members) for a day of the period, by the booked day. */
  readonly outpatientBookings: number;
  /** Outpatient visits reported for the period (null: none reported). */
  readonly outpatientVisits: number | null;
  readonly bookedShareOfOutpatient: number | null;
}

const CHINA = '+08:00';

/** Indicators per period: referral KPIs by the day (or month) the referral was requested;
 * booked share of outpatient volume by the day the booking is for. */
@Injectable()
export class ReferralIndicatorsService {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async indicators(scope: IndicatorScope, granularity: Granularity, from: string, to: string) {
    const start = `${from}T00:00:00${CHINA}`;
    const end = new Date(Date.parse(`${to}T00:00:00${CHINA}`) + 86_400_000).toISOString();
    const byInstitution = 'institution' in scope;
    const key = byInstitution ? scope.institution : scope.alliance;
    const inScope = byInstitution ? '(sender = $1 OR receiver = $1)' : 'alliance_id = $1';
    const requested = await this.rows(`${inScope} AND requested_at >= $2 AND requested_at < $3`, [
      key,
      start,
      end,
    ]);
    const bookedAt = byInstitution ? 'receiver = $1' : 'alliance_id = $1';
    const booked = (
      await this.rows(`${bookedAt} AND booked_for >= $2 AND booked_for < $3`, [key, start, end])
    ).filter(isOutpatientBooking);
    const visits = await this.visits(scope, from, to, granularity);
    const kpisOf = (rows: readonly ReferralBoardRow[]) =>
      byInstitution
        ? {
            sent: referralKpis(rows.filter((r) => r.sender === key)),
            received: referralKpis(rows.filter((r) => r.receiver === key)),
          }
        : { referrals: referralKpis(rows) };
    const requestedBy = groupByPeriod(requested, granularity, (r) => r.requestedAt);
    const bookedBy = groupByPeriod(booked, granularity, (r) => r.bookedFor!);
    const periods = [...new Set([...requestedBy.keys(), ...bookedBy.keys(), ...visits.keys()])].sort();
    const periodOfRange = (bookings: number, reported: number | null) => ({
      outpatientBookings: bookings,
      outpatientVisits: reported,
      bookedShareOfOutpatient: bookedShareOfOutpatient(bookings, reported),
    });
    const totalVisits = visits.size === 0 ? null : [...visits.values()].reduce((a, b) => a + b, 0);
    return {
      scope,
      granularity,
      from,
      to,
      overall: { ...kpisOf(requested), ...periodOfRange(booked.length, totalVisits) },
      periods: periods.map((period): PeriodIndicators => ({
        period,
        ...kpisOf(requestedBy.get(period) ?? []),
        ...periodOfRange(bookedBy.get(period)?.length ?? 0, visits.get(period) ?? null),
      })),
    };
  }

  private async rows(where: string, params: unknown[]): Promise<ReferralBoardRow[]> {
    const { rows } = await this.pool.query(`SELECT * FROM rm_referral_board WHERE ${where}`, params);
    return rows.map((r) => referralBoardRowFrom(r as Record<string, unknown>));
  }

  /** Outpatient visits per period: the institution's, or the sum over the alliance's members. */
  private async visits(scope: IndicatorScope, from: string, to: string, granularity: Granularity) {
    const institutions =
      'institution' in scope
        ? 'institution = $1'
        : 'institution IN (SELECT institution FROM rm_alliance_members WHERE alliance_id = $1)';
    const { rows } = await this.pool.query<{ day: string; visits: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(visits) AS visits FROM rm_outpatient_volume
       WHERE ${institutions} AND day BETWEEN $2::date AND $3::date GROUP BY day`,
      ['institution' in scope ? scope.institution : scope.alliance, from, to],
    );
    const byPeriod = new Map<string, number>();
    for (const r of rows) {
      const period = periodOf(`${r.day}T12:00:00${CHINA}`, granularity);
      byPeriod.set(period, (byPeriod.get(period) ?? 0) + Number(r.visits));
    }
    return byPeriod;
  }
}
