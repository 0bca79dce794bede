import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { ApiError, query } from '../lib/api';
import { Chart } from '../lib/chart';
import { downloadCsv, toCsv } from '../lib/csv';
import { ErrorNotice } from '../lib/notice';
import { useSignedIn } from '../lib/session';

/** What GET /recognition/indicators answers (recognition part 2), as far as the console shows it. */
interface RecognitionIndicatorsAnswer {
  readonly recognitionRate?: number | null;
  readonly recognised?: number;
  readonly declined?: number;
  readonly declinesByReason?: Readonly<Record<string, number>>;
  readonly retestsAvoided?: number;
  readonly moneySavedYuan?: number;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10}%`;

export function RecognitionIndicators(props: {
  readonly alliance: string;
  readonly from: string;
  readonly to: string;
}) {
  const { t, code } = useI18n();
  const { api } = useSignedIn();
  const [data, setData] = useState<RecognitionIndicatorsAnswer>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!props.alliance) return;
    setError(undefined);
    api.get<RecognitionIndicatorsAnswer>(`/recognition/indicators?${query(props)}`).then(setData, setError);
  }, [api, props.alliance, props.from, props.to]);
  const reasons = Object.entries(data?.declinesByReason ?? {});
  const csv = () =>
    downloadCsv(
      `recognition-indicators-${props.alliance}-${props.from}-${props.to}.csv`,
      toCsv(
        [
          'recognitionRate',
          'recognised',
          'declined',
          'retestsAvoided',
          'moneySavedYuan',
          ...reasons.map(([r]) => `declined:${r}`),
        ],
        [
          [
            data?.recognitionRate,
            data?.recognised,
            data?.declined,
            data?.retestsAvoided,
            data?.moneySavedYuan,
            ...reasons.map(([, n]) => n),
          ],
        ],
      ),
    );
  return (
    <section aria-labelledby="recognition-indicators">
      <h2 id="recognition-indicators">{t('indicators.recognition')}</h2>
      {error instanceof ApiError && error.status === 404 ? (
        <p className="notice" role="status">
          {t('indicators.noRecognition', { status: error.status, reason: error.reason })}
        </p>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : (
        data && (
          <>
            <dl className="tiles">
              <div>
                <dt>{t('indicators.recognitionRate')}</dt>
                <dd data-kpi="recognitionRate">{pct(data.recognitionRate)}</dd>
              </div>
              <div>
                <dt>{t('indicators.retestsAvoided')}</dt>
                <dd data-kpi="retestsAvoided">{data.retestsAvoided ?? '—'}</dd>
              </div>
              <div>
                <dt>{t('indicators.moneySaved')}</dt>
                <dd data-kpi="moneySaved">{data.moneySavedYuan ?? '—'}</dd>
              </div>
            </dl>
            <figure>
              <figcaption>{t('indicators.declines')}</figcaption>
              <Chart
                label={t('indicators.declines')}
                option={{
                  tooltip: {},
                  legend: { bottom: 0 },
                  series: [
                    {
                      type: 'pie',
                      radius: '60%',
                      data: reasons.map(([c, n]) => ({ name: code('decline', c), value: n })),
                    },
                  ],
                }}
              />
            </figure>
            <button type="button" className="secondary" onClick={csv}>
              {t('common.csv')}
            </button>
          </>
        )
      )}
    </section>
  );
}
