import { UsageError } from './usage-error';

/** --store, else EVENT_STORE_URL: a PostgreSQL URL. */
export function storeUrl(option: string | undefined, env = 'EVENT_STORE_URL', flag = '--store'): string {
  const url = option ?? process.env[env];
  if (!url) throw new UsageError(`${flag} <url> or ${env} is required`);
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new UsageError(
      `${flag} must be a PostgreSQL URL (postgres://…), not ${JSON.stringify(url.replace(/:[^:@/]+@/, ':***@'))}`,
    );
  return url;
}
