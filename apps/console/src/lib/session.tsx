import { createContext, useContext } from 'react';
import type { Api, Session } from './api';

export interface SignedIn {
  readonly api: Api;
  readonly session: Session;
}

export const SessionContext = createContext<SignedIn | undefined>(undefined);

export function useSignedIn(): SignedIn {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSignedIn outside a signed-in page');
  return s;
}

export type Page = 'referrals' | 'results' | 'indicators' | 'audit';

/** The pages a role may see, from its scopes (what the API would let it do). */
export function pagesOf(session: Session): Page[] {
  const has = (scope: string) => session.scopes.some((s) => s === scope || s.startsWith(scope));
  const pages: Page[] = [];
  if (has('system/Task.') && session.institution) pages.push('referrals');
  if (has('system/Recognition.')) pages.push('results');
  if (has('system/Indicators.r')) pages.push('indicators');
  if (has('system/AuditEvent.')) pages.push('audit');
  return pages;
}
