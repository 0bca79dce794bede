import { useCallback, useEffect, useState } from 'react';
import { type I18nText, type Later, useI18n } from '../i18n/i18n';
import { query } from '../lib/api';
import { ErrorNotice, Info } from '../lib/notice';
import { useSignedIn } from '../lib/session';
import { type Action, ActionForm, actionsFor } from './referral-actions';
import { ReferralHistory } from './referral-history';
import { NewReferral } from './new-referral';

const STATUSES = [
  'requested',
  'accepted',
  'scheduled',
  'arrived',
  'completed',
  'rejected',
  'cancelled',
  'expired',
];

interface BoardItem {
  readonly referralId: string;
  readonly direction: string;
  readonly sender: string;
  readonly receiver: string;
  readonly status: string;
  readonly priority: string;
  readonly reason: string | null;
  readonly requestedAt: string;
  readonly waitingHours: number;
  readonly overdue: boolean;
}
interface Board {
  readonly total: number;
  readonly items: readonly BoardItem[];
}

/** Inbox and outbox of the signed-in institution, with the actions each referral allows. */
export function ReferralDesk() {
  const i18n = useI18n();
  const { t, code } = i18n;
  const { api } = useSignedIn();
  const [box, setBox] = useState<'inbox' | 'outbox'>('inbox');
  const [status, setStatus] = useState('');
  const [overdue, setOverdue] = useState(false);
  const [board, setBoard] = useState<Board>();
  const [error, setError] = useState<unknown>();
  const [info, setInfo] = useState<Later>();
  const [acting, setActing] = useState<{ id: string; action: Action }>();
  const [history, setHistory] = useState<string>();
  const [creating, setCreating] = useState(false);

  const load = useCallback(() => {
    const q = query({ box, status, overdue: overdue ? 'true' : undefined, pageSize: 50 });
    api.get<Board>(`/console/referrals?${q}`).then((b) => {
      setBoard(b);
      setError(undefined);
    }, setError);
  }, [api, box, status, overdue]);
  useEffect(load, [load]);

  const act = (id: string, action: Action, body: Record<string, unknown>) => {
    setError(undefined);
    setInfo(undefined);
    api.post<{ status: string }>(`/referrals/${encodeURIComponent(id)}/${action}`, body).then((r) => {
      setActing(undefined);
      setInfo(() => (i: I18nText) => i.t('referrals.done', { id, status: i.code('status', r.status) }));
      // the board is a projection: it follows the log a moment later
      setTimeout(load, 300);
    }, setError);
  };

  return (
    <section aria-labelledby="desk">
      <h1 id="desk">{t('nav.referrals')}</h1>
      <div className="toolbar" role="group" aria-label={t('referrals.status')}>
        <div className="tabs" role="tablist">
          {(['inbox', 'outbox'] as const).map((b) => (
            <button key={b} type="button" role="tab" aria-selected={box === b} onClick={() => setBox(b)}>
              {t(`referrals.${b}`)}
            </button>
          ))}
        </div>
        <label>
          {t('referrals.status')}
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('referrals.allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {code('status', s)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />
          {t('referrals.onlyOverdue')}
        </label>
        <button type="button" className="secondary" onClick={load}>
          {t('common.refresh')}
        </button>
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          {t('referrals.new')}
        </button>
      </div>
      {creating && <NewReferral onDone={() => setTimeout(load, 300)} />}
      <ErrorNotice error={error} />
      <Info text={info?.(i18n)} />
      {acting && (
        <ActionForm
          referralId={acting.id}
          action={acting.action}
          onSubmit={(body) => act(acting.id, acting.action, body)}
          onClose={() => setActing(undefined)}
        />
      )}
      {history && <ReferralHistory referralId={history} onClose={() => setHistory(undefined)} />}
      <p className="count">{board ? t('referrals.total', { n: board.total }) : t('common.loading')}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('referrals.id')}</th>
              <th scope="col">{t('referrals.direction')}</th>
              <th scope="col">{t('referrals.counterpart')}</th>
              <th scope="col">{t('referrals.status')}</th>
              <th scope="col">{t('referrals.reason')}</th>
              <th scope="col">{t('referrals.requestedAt')}</th>
              <th scope="col">{t('referrals.waiting')}</th>
              <th scope="col">{t('referrals.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {board?.items.length === 0 && (
              <tr>
                <td colSpan={8}>{t('common.none')}</td>
              </tr>
            )}
            {board?.items.map((r) => (
              <tr key={r.referralId} data-referral={r.referralId}>
                <td className="mono">{r.referralId}</td>
                <td className="nowrap">{code('direction', r.direction)}</td>
                <td>{box === 'inbox' ? r.sender : r.receiver}</td>
                <td>
                  <span className={`badge status-${r.status}`} data-status={r.status}>
                    {code('status', r.status)}
                  </span>
                  {r.overdue && <span className="badge overdue">{t('referrals.overdue')}</span>}
                </td>
                <td className="wrap">{r.reason}</td>
                <td>
                  <time dateTime={r.requestedAt}>{new Date(r.requestedAt).toLocaleString()}</time>
                </td>
                <td className="num">{r.waitingHours}</td>
                <td>
                  <div className="actions">
                    {actionsFor(box, r.status).map((a) => (
                      <button
                        key={a}
                        type="button"
                        onClick={() => setActing({ id: r.referralId, action: a })}
                      >
                        {t(`referrals.${a === 'cancel' ? 'cancelReferral' : a}`)}
                      </button>
                    ))}
                    <button type="button" className="secondary" onClick={() => setHistory(r.referralId)}>
                      {t('referrals.history')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
