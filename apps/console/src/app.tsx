import { useEffect, useMemo, useState } from 'react';
import { useI18n } from './i18n/i18n';
import { Api, ApiError, type Session } from './lib/api';
import { ErrorNotice } from './lib/notice';
import { type Page, pagesOf, SessionContext } from './lib/session';
import { AuditPage } from './pages/audit';
import { IndicatorsPage } from './pages/indicators';
import { ReferralDesk } from './pages/referral-desk';
import { ResultsPage } from './pages/results';
import { SignIn } from './pages/sign-in';

const KEY = 'yilian.key';

export function App() {
  const { t, locale, toggle } = useI18n();
  const [key, setKey] = useState<string | undefined>(() => sessionStorage.getItem(KEY) ?? undefined);
  const [session, setSession] = useState<Session>();
  const [error, setError] = useState<unknown>();
  const [page, setPage] = useState<Page | undefined>(() => (location.hash.slice(1) || undefined) as Page);
  const api = useMemo(() => (key ? new Api(key) : undefined), [key]);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);
  useEffect(() => {
    if (!api) return;
    api.get<Session>('/console/session').then(setSession, (e: unknown) => {
      setError(e);
      sessionStorage.removeItem(KEY);
      setKey(undefined);
    });
  }, [api]);

  const signIn = (k: string) => {
    setError(undefined);
    sessionStorage.setItem(KEY, k);
    setKey(k);
  };
  const signOut = () => {
    sessionStorage.removeItem(KEY);
    setKey(undefined);
    setSession(undefined);
  };
  const pages = session ? pagesOf(session) : [];
  const requested = page ?? pages[0];
  const go = (p: Page) => {
    location.hash = p;
    setPage(p);
  };

  return (
    <>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        {session && (
          <nav aria-label={t('app.title')}>
            {pages.map((p) => (
              <a
                key={p}
                href={`#${p}`}
                aria-current={requested === p ? 'page' : undefined}
                onClick={() => go(p)}
              >
                {t(`nav.${p}`)}
              </a>
            ))}
          </nav>
        )}
        <span className="who">
          {session && (
            <>
              <span className="name" title={session.institution?.name ?? session.name}>
                {t('app.signedInAs')}: {session.institution?.name ?? session.name} ·{' '}
                {t(`role.${session.role}`)}
              </span>
              <button type="button" onClick={signOut}>
                {t('app.signOut')}
              </button>
            </>
          )}
          <button
            type="button"
            onClick={toggle}
            aria-label={`${t('app.language')} (${t('app.languageLabel')})`}
            lang={locale === 'en' ? 'zh-CN' : 'en'}
          >
            {t('app.language')}
          </button>
        </span>
      </header>
      <main>
        {!session || !api ? (
          <SignIn onSignIn={signIn} error={error} busy={key !== undefined} />
        ) : (
          <SessionContext.Provider value={{ api, session }}>
            {requested && !pages.includes(requested) ? (
              <RefusedPage page={requested} session={session} />
            ) : requested === 'referrals' ? (
              <ReferralDesk />
            ) : requested === 'results' ? (
              <ResultsPage />
            ) : requested === 'indicators' ? (
              <IndicatorsPage />
            ) : requested === 'audit' ? (
              <AuditPage />
            ) : null}
          </SessionContext.Provider>
        )}
      </main>
    </>
  );
}

/** A page the role may not see: asked of the API anyway where it has a read, so the refusal
 * shown is the API's own reason. */
const PROBES: Readonly<Partial<Record<Page, string>>> = {
  referrals: '/console/referrals',
  audit: '/console/audit/access',
};

function RefusedPage({ page, session }: { readonly page: Page; readonly session: Session }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>();
  const key = sessionStorage.getItem(KEY) ?? '';
  useEffect(() => {
    const probe = PROBES[page];
    const refused = new ApiError(403, t(`role.${session.role}`));
    if (!probe) return setError(refused);
    new Api(key).get(probe).then(() => setError(refused), setError);
    return undefined;
  }, [page, key, session.role, t]);
  return (
    <section aria-labelledby="refused">
      <h1 id="refused">{t(`nav.${page}`)}</h1>
      <ErrorNotice error={error} />
    </section>
  );
}
