import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { ErrorNotice } from '../lib/notice';

export function SignIn(props: {
  readonly onSignIn: (key: string) => void;
  readonly error: unknown;
  readonly busy: boolean;
}) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) props.onSignIn(key.trim());
  };
  return (
    <section className="card narrow" aria-labelledby="sign-in">
      <h1 id="sign-in">{t('signIn.title')}</h1>
      <form onSubmit={submit}>
        <label>
          {t('signIn.key')}
          <input
            type="password"
            name="apiKey"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
          />
        </label>
        <p className="hint">{t('signIn.hint')}</p>
        <button type="submit" disabled={props.busy && !props.error}>
          {t('signIn.submit')}
        </button>
      </form>
      <ErrorNotice error={props.error} />
    </section>
  );
}
