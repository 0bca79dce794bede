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

/** The pages a key may see: the desk and the results are an institution's, the indicators the
 * platform's; the audit needs the auditors' scope (AuditEvent is granted by name only). */
export function pagesOf(session: Session): Page[] {
  const pages: Page[] = [];
  if (session.role === 'institution' && session.institution) pages.push('referrals', 'results');
  if (session.role === 'platform') pages.push('indicators');
  if (session.scopes.some((s) => /^system\/AuditEvent\.(read|rs|\*)$/.test(s))) pages.push('audit');
  return pages;
}
