import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { type MessageKey, type Messages, zhCN } from './zh-CN';

export type Locale = 'zh-CN' | 'en';
const CATALOGUES: Readonly<Record<Locale, Messages>> = { 'zh-CN': zhCN, en };

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** What a message made later needs: rendered again in the language of the moment. */
export type I18nText = Pick<I18n, 't' | 'code'>;
export type Later = (i18n: I18nText) => string;

interface I18n {
  readonly locale: Locale;
  readonly t: Translate;
  /** A message for a code from a vocabulary (`status.accepted`), or the code itself. */
  readonly code: (prefix: string, code: string) => string;
  readonly toggle: () => void;
}

const Context = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(() =>
    localStorage.getItem('yilian.locale') === 'en' ? 'en' : 'zh-CN',
  );
  const toggle = useCallback(() => {
    setLocale((l) => {
      const next = l === 'zh-CN' ? 'en' : 'zh-CN';
      localStorage.setItem('yilian.locale', next);
      document.documentElement.lang = next;
      return next;
    });
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = CATALOGUES[locale];
    const t: Translate = (key, params) =>
      messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`));
    const code = (prefix: string, c: string) => {
      const key = `${prefix}.${c}`;
      return key in messages ? messages[key as MessageKey] : c;
    };
    return { locale, t, code, toggle };
  }, [locale, toggle]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(Context);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
