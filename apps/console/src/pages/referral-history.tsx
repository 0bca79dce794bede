import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { ErrorNotice } from '../lib/notice';
import { useSignedIn } from '../lib/session';

interface History {
  readonly referralId: string;
  readonly steps: readonly {
    version: number;
    at: string;
    status: string;
    actor: string;
    reason?: { text?: string; coding?: { code?: string }[] };
  }[];
}

/** Every step of a referral: what, who, when (the Task's versions, from the log). */
export function ReferralHistory({
  referralId,
  onClose,
}: {
  readonly referralId: string;
  readonly onClose: () => void;
}) {
  const { t, code } = useI18n();
  const { api } = useSignedIn();
  const [history, setHistory] = useState<History>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .get<History>(`/console/referrals/${encodeURIComponent(referralId)}/history`)
      .then(setHistory, setError);
  }, [api, referralId]);
  return (
    <section className="card" aria-labelledby="history">
      <h2 id="history">{t('referrals.historyOf', { id: referralId })}</h2>
      <ErrorNotice error={error} />
      <ol className="timeline">
        {history?.steps.map((s) => {
          const why = s.reason?.text ?? s.reason?.coding?.[0]?.code;
          return (
            <li key={s.version} data-status={s.status}>
              <time dateTime={s.at}>{new Date(s.at).toLocaleString()}</time>{' '}
              <strong>{t('referrals.step', { status: code('status', s.status), actor: s.actor })}</strong>
              {why && <span className="why"> — {code('rejection', why)}</span>}
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={onClose}>
        {t('common.close')}
      </button>
    </section>
  );
}
