/** The console talks to the same API as every other client, with the signed-in key. */
export interface Session {
  readonly role: 'institution' | 'platform' | 'auditor';
  readonly name: string;
  readonly institution?: { readonly code: string; readonly name: string };
  readonly scopes: readonly string[];
}

/** A refusal or failure, with the reason the API gave in its body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status}: ${reason}`);
  }
}

/** The reason in an error body: JSON `{message, code}`, `{fields}` or a FHIR OperationOutcome. */
export function reasonOf(body: unknown, fallback: string): string {
  if (typeof body !== 'object' || body === null) return fallback;
  const b = body as Record<string, unknown>;
  if (b['resourceType'] === 'OperationOutcome' && Array.isArray(b['issue'])) {
    return (b['issue'] as { diagnostics?: string; code?: string }[])
      .map((i) => i.diagnostics ?? i.code ?? '')
      .join('; ');
  }
  if (Array.isArray(b['fields'])) {
    return (b['fields'] as { field: string; problems: string[] }[])
      .map((f) => `${f.field}: ${f.problems.join(', ')}`)
      .join('; ');
  }
  const message = Array.isArray(b['message']) ? b['message'].join('; ') : b['message'];
  const code = typeof b['code'] === 'string' ? ` (${b['code']})` : '';
  return typeof message === 'string' ? `${message}${code}` : fallback;
}

export class Api {
  constructor(private readonly key: string) {}

  async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          accept: 'application/json, application/fhir+json',
          ...(body !== undefined ? { 'content-type': contentType } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new ApiError(0, (e as Error).message);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw new ApiError(res.status, reasonOf(parsed, text.slice(0, 200) || res.statusText));
    return parsed as T;
  }

  get = <T>(path: string) => this.call<T>('GET', path);
  post = <T>(path: string, body: unknown) => this.call<T>('POST', path, body);
}

export const query = (params: Readonly<Record<string, string | number | undefined>>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
      .map(([k, v]) => [k, String(v)]),
  ).toString();
