import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { query } from '../lib/api';
import { ErrorNotice } from '../lib/notice';
import { useSignedIn } from '../lib/session';

interface Entry {
  readonly serial: string;
  readonly at: string;
  readonly actor: string;
  readonly purpose: string | null;
  readonly patientKey: string | null;
  readonly interaction: string;
  readonly resourceType: string;
  readonly returned: number;
}
interface Chain {
  readonly verifiedAt: string;
  readonly events: number;
  readonly streams: number;
  readonly intact: boolean;
  readonly breaks: readonly { stream: string; streamPosition: string; reason: string }[];
}

/** A local date-time from the picker, as an instant in China Standard Time. */
const chinaInstant = (local: string) =>
  local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : undefined;

/** Auditors only: who read which patient's data, when and why, as of a moment; the chain. */
export function AuditPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [asOf, setAsOf] = useState('');
  const [patientKey, setPatientKey] = useState('');
  const [actor, setActor] = useState('');
  const [entries, setEntries] = useState<readonly Entry[]>();
  const [chain, setChain] = useState<Chain>();
  const [error, setError] = useState<unknown>();
  const load = (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    const q = query({ asOf: chinaInstant(asOf), patientKey: patientKey.trim(), actor: actor.trim() });
    api.get<{ entries: Entry[] }>(`/console/audit/access?${q}`).then((r) => setEntries(r.entries), setError);
  };
  useEffect(load, [api]);
  const verify = () => api.get<Chain>('/console/audit/chain').then(setChain, setError);

  return (
    <section aria-labelledby="audit">
      <h1 id="audit">{t('audit.title')}</h1>
      <form className="toolbar" onSubmit={load}>
        <label>
          {t('audit.asOf')}
          <input type="datetime-local" name="asOf" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </label>
        <label>
          {t('audit.patientKey')}
          <input name="patientKey" value={patientKey} onChange={(e) => setPatientKey(e.target.value)} />
        </label>
        <label>
          {t('audit.actor')}
          <input name="actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        </label>
        <button type="submit">{t('audit.show')}</button>
      </form>
      <ErrorNotice error={error} />
      <section className="card" aria-labelledby="chain">
        <h2 id="chain">{t('audit.chain')}</h2>
        <button type="button" onClick={() => void verify()}>
          {t('audit.verify')}
        </button>
        {chain && (
          <p className={chain.intact ? 'notice ok' : 'notice error'} role="status" data-intact={chain.intact}>
            {chain.intact
              ? t('audit.intact', {
                  events: chain.events,
                  streams: chain.streams,
                  at: new Date(chain.verifiedAt).toLocaleString(),
                })
              : t('audit.broken', {
                  n: chain.breaks.length,
                  first: `${chain.breaks[0]?.stream} @${chain.breaks[0]?.streamPosition}: ${chain.breaks[0]?.reason}`,
                })}
          </p>
        )}
      </section>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('audit.serial')}</th>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.patientKey')}</th>
              <th scope="col">{t('audit.interaction')}</th>
              <th scope="col">{t('audit.resource')}</th>
              <th scope="col">{t('audit.purpose')}</th>
              <th scope="col">{t('audit.returned')}</th>
            </tr>
          </thead>
          <tbody>
            {entries?.length === 0 && (
              <tr>
                <td colSpan={8}>{t('common.none')}</td>
              </tr>
            )}
            {entries?.map((e) => (
              <tr key={e.serial}>
                <td className="num">{e.serial}</td>
                <td>
                  <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                </td>
                <td>{e.actor}</td>
                <td className="mono wrap">{e.patientKey}</td>
                <td>{e.interaction}</td>
                <td>{e.resourceType}</td>
                <td>{e.purpose ?? '—'}</td>
                <td className="num">{e.returned}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
