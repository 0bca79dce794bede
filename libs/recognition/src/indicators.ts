/**
 * The recognition indicators (互认指标, issue 12) from the decision and retrieval read models:
 *
 * - recognition rate = reports recognised ÷ qualifying reports, where a qualifying report is one
 *   the patient already had that was recognisable for the deciding institution and on which its
 *   doctor decided (the decision in force per result and encounter) — DOMAIN.md counts per report;
 * - declines by reason code; retrievals (调阅); re-tests avoided = catalogue items of the
 *   recognised reports; money saved = the sum of those items' prices when decided.
 *
 * Per deciding institution and period (day or month, Asia/Shanghai), filtered by alliance
 * (its current members), institution and item.
 */
import type { SqlExecutor } from '@yilian/results';

export interface IndicatorsQuery {
  /** First and last day, inclusive (YYYY-MM-DD, Asia/Shanghai). */
  readonly from: string;
  readonly to: string;
  readonly period: 'day' | 'month';
  readonly alliance?: string;
  readonly institution?: string;
  readonly item?: string;
}

export interface IndicatorFigures {
  readonly qualifying: number;
  readonly recognised: number;
  readonly declined: number;
  /** recognised ÷ qualifying; null when nothing qualified. */
  readonly recognitionRate: number | null;
  readonly declinesByReason: Readonly<Record<string, number>>;
  readonly retrievals: number;
  readonly retestsAvoided: number;
  readonly moneySavedYuan: number;
}

export interface IndicatorRow extends IndicatorFigures {
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  readonly institution: string;
}

export interface IndicatorsAnswer extends IndicatorFigures {
  readonly query: IndicatorsQuery;
  readonly rows: readonly IndicatorRow[];
  readonly byItem: readonly {
    readonly item: string;
    readonly name: string;
    readonly recognised: number;
    readonly declined: number;
    readonly moneySavedYuan: number;
  }[];
}

const bucket = (period: 'day' | 'month') =>
  period === 'month' ? `to_char(day, 'YYYY-MM')` : `to_char(day, 'YYYY-MM-DD')`;

export async function recognitionIndicators(sql: SqlExecutor, q: IndicatorsQuery): Promise<IndicatorsAnswer> {
  const params = [q.from, q.to, q.alliance ?? null, q.institution ?? null, q.item ?? null];
  const who = `day BETWEEN $1::date AND $2::date
    AND ($3::text IS NULL OR institution IN (SELECT institution FROM rm_alliance_members WHERE alliance_id = $3 AND left_at IS NULL))
    AND ($4::text IS NULL OR institution = $4)`;
  const itemFilter = `($5::text IS NULL OR items @> jsonb_build_array(jsonb_build_object('code', $5::text)))`;
  const decisions = await sql.query<{
    period: string;
    institution: string;
    decision: string;
    reason_code: string | null;
    n: number;
    items: number;
    saved: string;
  }>(
    `SELECT ${bucket(q.period)} AS period, institution, decision, reason_code, count(*)::int AS n,
       sum(jsonb_array_length(items))::int AS items, sum(saved_yuan)::text AS saved
     FROM rm_recognition_decisions WHERE ${who} AND ${itemFilter}
     GROUP BY 1, 2, 3, 4`,
    params,
  );
  const retrievals = await sql.query<{ period: string; institution: string; n: number }>(
    `SELECT ${bucket(q.period)} AS period, institution, sum(retrievals)::int AS n FROM rm_recognition_retrievals
     WHERE ${who} AND $5::text IS NULL GROUP BY 1, 2`, // retrievals are of reports, not of items
    params,
  );
  const byItem = await sql.query<{
    item: string;
    name: string;
    recognised: number;
    declined: number;
    saved: string;
  }>(
    `SELECT i->>'code' AS item, min(i->>'name') AS name,
       count(*) FILTER (WHERE decision = 'recognised')::int AS recognised, count(*) FILTER (WHERE decision = 'declined')::int AS declined,
       coalesce(sum((i->>'priceYuan')::numeric) FILTER (WHERE decision = 'recognised'), 0)::text AS saved
     FROM rm_recognition_decisions, jsonb_array_elements(items) AS i
     WHERE ${who} AND ($5::text IS NULL OR i->>'code' = $5) GROUP BY 1 ORDER BY 1`,
    params,
  );

  const rows = new Map<string, Mutable>();
  const row = (period: string, institution: string) => {
    const key = `${period}\u0000${institution}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { period, institution, ...empty() }));
    return r;
  };
  const total = empty();
  for (const d of decisions.rows) {
    for (const target of [row(d.period, d.institution), total]) {
      target.qualifying += d.n;
      if (d.decision === 'recognised') {
        target.recognised += d.n;
        target.retestsAvoided += d.items;
        target.moneySavedYuan += Number(d.saved);
      } else {
        target.declined += d.n;
        const code = d.reason_code ?? 'unspecified';
        target.declinesByReason[code] = (target.declinesByReason[code] ?? 0) + d.n;
      }
    }
  }
  for (const r of retrievals.rows) {
    row(r.period, r.institution).retrievals += r.n;
    total.retrievals += r.n;
  }
  const figures = (m: Omit<Mutable, 'period' | 'institution'>): IndicatorFigures => ({
    qualifying: m.qualifying,
    recognised: m.recognised,
    declined: m.declined,
    recognitionRate: m.qualifying === 0 ? null : m.recognised / m.qualifying,
    declinesByReason: m.declinesByReason,
    retrievals: m.retrievals,
    retestsAvoided: m.retestsAvoided,
    moneySavedYuan: Math.round(m.moneySavedYuan * 100) / 100,
  });
  return {
    query: q,
    ...figures(total),
    rows: [...rows.values()]
      .sort((a, b) => a.period.localeCompare(b.period) || a.institution.localeCompare(b.institution))
      .map((r) => ({ period: r.period, institution: r.institution, ...figures(r) })),
    byItem: byItem.rows.map((r) => ({
      item: r.item,
      name: r.name,
      recognised: r.recognised,
      declined: r.declined,
      moneySavedYuan: Number(r.saved),
    })),
  };
}

interface Mutable {
  period: string;
  institution: string;
  qualifying: number;
  recognised: number;
  declined: number;
  declinesByReason: Record<string, number>;
  retrievals: number;
  retestsAvoided: number;
  moneySavedYuan: number;
}

function empty(): Omit<Mutable, 'period' | 'institution'> {
  return {
    qualifying: 0,
    recognised: 0,
    declined: 0,
    declinesByReason: {},
    retrievals: 0,
    retestsAvoided: 0,
    moneySavedYuan: 0,
  };
}

/** The commission's CSV: one line per period and institution, declines per reason as columns. */
export function indicatorsCsv(answer: IndicatorsAnswer): string {
  const reasons = [...new Set(answer.rows.flatMap((r) => Object.keys(r.declinesByReason)))].sort();
  const header = [
    'period',
    'institution',
    'qualifying',
    'recognised',
    'declined',
    'recognitionRate',
    'retrievals',
    'retestsAvoided',
    'moneySavedYuan',
    ...reasons.map((r) => `declined:${r}`),
  ];
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = answer.rows.map((r) =>
    [
      r.period,
      r.institution,
      r.qualifying,
      r.recognised,
      r.declined,
      r.recognitionRate === null ? '' : r.recognitionRate.toFixed(4),
      r.retrievals,
      r.retestsAvoided,
      r.moneySavedYuan.toFixed(2),
      ...reasons.map((c) => r.declinesByReason[c] ?? 0),
    ]
      .map(cell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
