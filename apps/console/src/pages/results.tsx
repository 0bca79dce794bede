import { useState, type FormEvent } from 'react';
import type {
  EligibilityAnswer,
  ResultEligibility,
} from '../../../../libs/recognition/src/eligibility.types';
import { type I18nText, type Later, useI18n } from '../i18n/i18n';
import { ErrorNotice, Info } from '../lib/notice';
import { useSignedIn } from '../lib/session';
import { DecisionForm, type Decision } from './decision-form';

const RESIDENT_ID_SYSTEM = 'urn:oid:2.16.156.10011.1.3';

/** A result as the console shows it: what the eligibility answer says, and the retrieval serial
 * when the answer (recognition part 2) prints one. */
type Shown = ResultEligibility & { readonly retrievalSerial?: string };

/** A doctor's view of a patient's results from every member institution, newest first, with
 * whether each may be recognised and the actions recognise / decline. */
export function ResultsPage() {
  const i18n = useI18n();
  const { t, code } = i18n;
  const { api, session } = useSignedIn();
  const own = session.institution!.code;
  const [system, setSystem] = useState(RESIDENT_ID_SYSTEM);
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState<EligibilityAnswer>();
  const [error, setError] = useState<unknown>();
  const [info, setInfo] = useState<Later>();
  const [deciding, setDeciding] = useState<{ result: Shown; decision: Decision }>();

  const find = (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    // the number travels in the body only: never in an address, a log line or a history entry
    api
      .post<EligibilityAnswer>('/recognition/eligibility', { identifier: { system, value: value.trim() } })
      .then(setAnswer, setError);
  };
  const decide = (result: Shown, decision: Decision, reason?: { code: string; text?: string }) => {
    setError(undefined);
    const body = {
      patientKey: answer!.patientKey,
      resultStream: result.resultStream,
      resource: `${result.resourceType}/${result.resourceId}`,
      decision,
      ...(reason ? { reason } : {}),
    };
    api.post<Record<string, unknown>>('/recognition/decisions', body).then(() => {
      setDeciding(undefined);
      setInfo(
        () => (i: I18nText) =>
          i.t('results.decided', {
            decision: i.t(decision === 'recognised' ? 'results.recognise' : 'results.decline'),
          }),
      );
      find();
    }, setError);
  };
  const results = [...(answer?.results ?? [])].sort((a, b) =>
    b.effective.localeCompare(a.effective),
  ) as Shown[];

  return (
    <section aria-labelledby="results">
      <h1 id="results">{t('results.title')}</h1>
      <form className="toolbar" onSubmit={find}>
        <label>
          {t('results.idType')}
          <select name="system" value={system} onChange={(e) => setSystem(e.target.value)}>
            <option value={RESIDENT_ID_SYSTEM}>{t('results.residentId')}</option>
            <option value={`urn:yilian:institution:${own}:mrn`}>{t('results.mrn')}</option>
          </select>
        </label>
        <label>
          {t('results.number')}
          <input
            name="identifier"
            required
            autoComplete="off"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <button type="submit">{t('results.find')}</button>
      </form>
      <p className="hint">{t('results.privacy')}</p>
      <ErrorNotice error={error} />
      <Info text={info?.(i18n)} />
      {deciding && (
        <DecisionForm
          decision={deciding.decision}
          onSubmit={(reason) => decide(deciding.result, deciding.decision, reason)}
          onClose={() => setDeciding(undefined)}
        />
      )}
      {answer && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('results.effective')}</th>
                <th scope="col">{t('results.kind')}</th>
                <th scope="col">{t('results.item')}</th>
                <th scope="col">{t('results.performer')}</th>
                <th scope="col">{t('results.recognition')}</th>
                <th scope="col">{t('referrals.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {results.length === 0 && (
                <tr>
                  <td colSpan={6}>{t('common.none')}</td>
                </tr>
              )}
              {results.map((r) => (
                <tr key={r.resultStream} data-result={r.resourceId}>
                  <td>
                    <time dateTime={r.effective}>{new Date(r.effective).toLocaleString()}</time>
                  </td>
                  <td>{t(`results.kind.${r.kind}`)}</td>
                  <td className="wrap">{r.item?.name ?? r.resourceId}</td>
                  <td>{r.performer}</td>
                  <td className="wrap" data-status={r.status}>
                    {r.status === 'recognisable'
                      ? t('results.recognisable', { until: r.validUntil ?? '—', mark: r.scope?.mark ?? '' })
                      : t('results.notRecognisable', {
                          reasons: r.reasons.map((x) => code('reason', x)).join('、'),
                        })}
                    {r.retrievalSerial && (
                      <div className="serial">{t('results.serial', { serial: r.retrievalSerial })}</div>
                    )}
                  </td>
                  <td>
                    <div className="actions">
                      {r.status === 'recognisable' && (
                        <>
                          <button type="button" onClick={() => decide(r, 'recognised')}>
                            {t('results.recognise')}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() => setDeciding({ result: r, decision: 'declined' })}
                          >
                            {t('results.decline')}
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
