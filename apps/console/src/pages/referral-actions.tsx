import { useState, type FormEvent } from 'react';
import { REJECTION_REASONS, SCHEDULE_KINDS } from '../../../../contracts/src/referrals/referral';
import { useI18n } from '../i18n/i18n';

export type Action = 'accept' | 'reject' | 'schedule' | 'arrival' | 'complete' | 'cancel';

/** The actions a box offers on a referral in a status (the deciders refuse anything else). */
export function actionsFor(box: 'inbox' | 'outbox', status: string): Action[] {
  if (box === 'outbox') return ['requested', 'accepted', 'scheduled'].includes(status) ? ['cancel'] : [];
  switch (status) {
    case 'requested':
      return ['accept', 'reject'];
    case 'accepted':
      return ['schedule'];
    case 'scheduled':
      return ['arrival'];
    case 'arrived':
      return ['complete'];
    default:
      return [];
  }
}

/** A local date-time from the picker, as an instant in China Standard Time. */
const chinaInstant = (local: string) => `${local.length === 16 ? `${local}:00` : local}+08:00`;

/** The form an action needs (a reason, a booking) and its submission as the JSON body. */
export function ActionForm(props: {
  readonly referralId: string;
  readonly action: Action;
  readonly onSubmit: (body: Record<string, unknown>) => void;
  readonly onClose: () => void;
}) {
  const { t, code } = useI18n();
  const [reason, setReason] = useState<string>(REJECTION_REASONS[0]);
  const [text, setText] = useState('');
  const [kind, setKind] = useState<string>(SCHEDULE_KINDS[0]);
  const [bookedFor, setBookedFor] = useState('');
  const [department, setDepartment] = useState('');
  const [priorityChannel, setPriorityChannel] = useState(true);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const note = text.trim();
    switch (props.action) {
      case 'reject':
        return props.onSubmit({ code: reason, ...(note ? { text: note } : {}) });
      case 'schedule':
        return props.onSubmit({
          kind,
          bookedFor: chinaInstant(bookedFor),
          priorityChannel,
          department: department.trim(),
        });
      case 'cancel':
        return props.onSubmit(note ? { reason: note } : {});
      case 'accept':
        return props.onSubmit(department.trim() ? { department: department.trim() } : {});
      case 'arrival':
      case 'complete':
        return props.onSubmit({});
    }
  };
  const title = `${t(`referrals.${props.action === 'cancel' ? 'cancelReferral' : props.action}`)} · ${props.referralId}`;
  return (
    <form className="card action-form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      {props.action === 'reject' && (
        <label>
          {t('referrals.rejectReason')}
          <select name="code" value={reason} onChange={(e) => setReason(e.target.value)}>
            {REJECTION_REASONS.map((r) => (
              <option key={r} value={r}>
                {code('rejection', r)}
              </option>
            ))}
          </select>
        </label>
      )}
      {props.action === 'schedule' && (
        <>
          <label>
            {t('referrals.kind')}
            <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {SCHEDULE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {code('kind', k)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('referrals.bookedFor')}
            <input
              type="datetime-local"
              name="bookedFor"
              required
              value={bookedFor}
              onChange={(e) => setBookedFor(e.target.value)}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              name="priorityChannel"
              checked={priorityChannel}
              onChange={(e) => setPriorityChannel(e.target.checked)}
            />
            {t('referrals.priorityChannel')}
          </label>
        </>
      )}
      {(props.action === 'schedule' || props.action === 'accept') && (
        <label>
          {t('referrals.department')}
          <input
            name="department"
            required={props.action === 'schedule'}
            maxLength={100}
            value={department}
            onChange={(e) => setDepartment(e.target.value)}
          />
        </label>
      )}
      {(props.action === 'reject' || props.action === 'cancel') && (
        <label>
          {t(props.action === 'cancel' ? 'referrals.cancelReason' : 'referrals.reasonText')}
          <textarea name="text" maxLength={200} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
      )}
      <div className="buttons">
        <button type="submit">{t('common.submit')}</button>
        <button type="button" className="secondary" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
