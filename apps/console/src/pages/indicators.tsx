import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { ApiError, query } from '../lib/api';
import { Chart } from '../lib/chart';
import { downloadCsv, toCsv } from '../lib/csv';
import { ErrorNotice } from '../lib/notice';
import { useSignedIn } from '../lib/session';
import { RecognitionIndicators } from './recognition-indicators';

interface Kpis {
  readonly total: number;
  readonly upward: number;
  readonly downward: number;
  readonly acceptanceRate: number | null;
  readonly toAcceptance: { count: number; medianHours: number | null; p90Hours: number | null };
  readonly rejectionReasons: Readonly<Record<string, number>>;
  readonly priorityChannelShare: number | null;
}
interface Period {
  readonly period: string;
  readonly referrals?: Kpis;
  readonly bookedShareOfOutpatient: number | null;
}
export interface Indicators {
  readonly overall: { readonly referrals?: Kpis; readonly bookedShareOfOutpatient: number | null };
  readonly periods: readonly Period[];
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`;
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The alliance's referral and recognition indicators, as charts, with CSV download. */
export function IndicatorsPage() {
  const { t, code } = useI18n();
  const { api } = useSignedIn();
  const [alliances, setAlliances] = useState<{ allianceId: string; name: string }[]>([]);
  const [alliance, setAlliance] = useState('');
  const [from, setFrom] = useState(`${today().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today());
  const [data, setData] = useState<Indicators>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    api.get<{ alliances: { allianceId: string; name: string }[] }>('/alliances').then((a) => {
      setAlliances(a.alliances);
      if (a.alliances[0]) setAlliance(a.alliances[0].allianceId);
    }, setError);
  }, [api]);
  const load = (e?: FormEvent) => {
    e?.preventDefault();
    if (!alliance) return setError(new ApiError(400, t('indicators.alliance')));
    setError(undefined);
    api
      .get<Indicators>(`/referrals/indicators?${query({ alliance, granularity: 'month', from, to })}`)
      .then(setData, setError);
    return undefined;
  };
  useEffect(() => void (alliance && load()), [alliance]);

  const charts = useMemo(() => {
    if (!data) return undefined;
    const months = data.periods.map((p) => p.period);
    const of = (f: (k: Kpis) => number | null) =>
      data.periods.map((p) => (p.referrals ? f(p.referrals) : null));
    const reasons = Object.entries(data.overall.referrals?.rejectionReasons ?? {});
    return {
      upDown: {
        tooltip: {},
        legend: {},
        xAxis: { type: 'category', data: months },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: t('indicators.upward'), type: 'bar', data: of((k) => k.upward) },
          { name: t('indicators.downward'), type: 'bar', data: of((k) => k.downward) },
        ],
      },
      acceptance: {
        tooltip: {},
        legend: {},
        xAxis: { type: 'category', data: months },
        yAxis: { type: 'value' },
        series: [
          { name: t('indicators.median'), type: 'line', data: of((k) => k.toAcceptance.medianHours) },
          { name: t('indicators.p90'), type: 'line', data: of((k) => k.toAcceptance.p90Hours) },
        ],
      },
      rejections: {
        tooltip: {},
        legend: { bottom: 0 },
        series: [
          {
            type: 'pie',
            radius: '60%',
            data: reasons.map(([c, n]) => ({ name: code('rejection', c), value: n })),
          },
        ],
      },
    };
  }, [data, t, code]);

  const csv = () => {
    if (!data) return;
    const header = [
      'period',
      'total',
      'upward',
      'downward',
      'acceptanceRate',
      'medianHoursToAcceptance',
      'p90HoursToAcceptance',
      'priorityChannelShare',
      'bookedShareOfOutpatient',
    ];
    const rows = data.periods.map((p) => {
      const k = p.referrals;
      return [
        p.period,
        k?.total,
        k?.upward,
        k?.downward,
        k?.acceptanceRate,
        k?.toAcceptance.medianHours,
        k?.toAcceptance.p90Hours,
        k?.priorityChannelShare,
        p.bookedShareOfOutpatient,
      ];
    });
    downloadCsv(`referral-indicators-${alliance}-${from}-${to}.csv`, toCsv(header, rows));
  };
  const overall = data?.overall.referrals;

  return (
    <section aria-labelledby="indicators">
      <h1 id="indicators">{t('indicators.title')}</h1>
      <form className="toolbar" onSubmit={load}>
        <label>
          {t('indicators.alliance')}
          <select name="alliance" value={alliance} onChange={(e) => setAlliance(e.target.value)}>
            {alliances.map((a) => (
              <option key={a.allianceId} value={a.allianceId}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('indicators.from')}
          <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('indicators.to')}
          <input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit">{t('indicators.show')}</button>
        <button type="button" className="secondary" onClick={csv} disabled={!data}>
          {t('common.csv')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {overall && (
        <dl className="tiles">
          <div>
            <dt>{t('indicators.total')}</dt>
            <dd data-kpi="total">{overall.total}</dd>
          </div>
          <div>
            <dt>{t('indicators.upward')}</dt>
            <dd data-kpi="upward">{overall.upward}</dd>
          </div>
          <div>
            <dt>{t('indicators.downward')}</dt>
            <dd data-kpi="downward">{overall.downward}</dd>
          </div>
          <div>
            <dt>{t('indicators.acceptanceRate')}</dt>
            <dd data-kpi="acceptanceRate">{pct(overall.acceptanceRate)}</dd>
          </div>
          <div>
            <dt>{t('indicators.priorityShare')}</dt>
            <dd data-kpi="priorityChannelShare">{pct(overall.priorityChannelShare)}</dd>
          </div>
          <div>
            <dt>{t('indicators.bookedShare')}</dt>
            <dd data-kpi="bookedShare">{pct(data.overall.bookedShareOfOutpatient)}</dd>
          </div>
        </dl>
      )}
      {charts && (
        <div className="charts">
          <figure>
            <figcaption>{t('indicators.upDown')}</figcaption>
            <Chart option={charts.upDown} label={t('indicators.upDown')} />
          </figure>
          <figure>
            <figcaption>{t('indicators.toAcceptance')}</figcaption>
            <Chart option={charts.acceptance} label={t('indicators.toAcceptance')} />
          </figure>
          <figure>
            <figcaption>{t('indicators.rejections')}</figcaption>
            <Chart option={charts.rejections} label={t('indicators.rejections')} />
          </figure>
        </div>
      )}
      <RecognitionIndicators alliance={alliance} from={from} to={to} />
    </section>
  );
}
