import { useI18n } from '../i18n/i18n';
import { ApiError } from './api';

/** What went wrong, in the user's language, with the API's own reason. */
export function ErrorNotice({ error }: { readonly error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? error.status === 0
        ? t('error.network', { reason: error.reason })
        : t('error.refused', { status: error.status, reason: error.reason })
      : error instanceof Error
        ? error.message
        : JSON.stringify(error);
  return (
    <p className="notice error" role="alert">
      {text}
    </p>
  );
}

export function Info({ text }: { readonly text: string | undefined }) {
  if (!text) return null;
  return (
    <p className="notice ok" role="status">
      {text}
    </p>
  );
}
