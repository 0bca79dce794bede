import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';

export type Decision = 'recognised' | 'declined';

/** The national reasons for not recognising a result (DOMAIN.md), then the local ones. */
export const DECLINE_REASONS = [
  'illness-changed',
  'value-changes-fast',
  'major-intervention',
  'emergency',
  'forensic-assessment',
  'other-need',
  'patient-request',
  'eqa-failed',
  'too-old',
  'physician-judgement',
] as const;

export function DecisionForm(props: {
  readonly decision: Decision;
  readonly onSubmit: (reason: { code: string; text?: string }) => void;
  readonly onClose: () => void;
}) {
  const { t, code } = useI18n();
  const [reason, setReason] = useState<string>(DECLINE_REASONS[0]);
  const [text, setText] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit({ code: reason, ...(text.trim() ? { text: text.trim() } : {}) });
  };
  return (
    <form className="card action-form" onSubmit={submit} aria-labelledby="decline">
      <h2 id="decline">{t('results.decline')}</h2>
      <label>
        {t('results.declineReason')}
        <select name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
          {DECLINE_REASONS.map((r) => (
            <option key={r} value={r}>
              {code('decline', r)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('referrals.reasonText')}
        <textarea name="text" maxLength={200} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit">{t('common.submit')}</button>
        <button type="button" className="secondary" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
