/**
 * A FHIR Bulk Data Access v2.0.0 client written from the IG (https://hl7.org/fhir/uv/bulkdata/),
 * not from the hub: kick-off (GET, or POST with a Parameters resource) with
 * `Accept: application/fhir+json` and `Prefer: respond-async`, polling the Content-Location with
 * a backoff that honours Retry-After, the manifest checked against a JSON schema of the IG's
 * "Complete Status" section, each output file downloaded (with the token only when
 * requiresAccessToken says so) and parsed line by line as NDJSON, and DELETE.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** The IG's complete-status manifest ("Response - Complete Status"). */
export const MANIFEST_SCHEMA = {
  type: 'object',
  required: ['transactionTime', 'request', 'requiresAccessToken', 'output', 'error'],
  properties: {
    // a FHIR instant: date, time to the second and a zone
    transactionTime: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
    },
    request: { type: 'string', format: 'uri' },
    requiresAccessToken: { type: 'boolean' },
    output: { type: 'array', items: { $ref: '#/$defs/file' } },
    deleted: { type: 'array', items: { $ref: '#/$defs/file' } },
    error: {
      type: 'array',
      items: {
        allOf: [{ $ref: '#/$defs/file' }, { properties: { type: { const: 'OperationOutcome' } } }],
      },
    },
    extension: { type: 'object' },
  },
  $defs: {
    file: {
      type: 'object',
      required: ['type', 'url'],
      properties: {
        type: { type: 'string', pattern: '^[A-Z][A-Za-z]+$' },
        url: { type: 'string', format: 'uri' },
        count: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

export const OPERATION_OUTCOME_SCHEMA = {
  type: 'object',
  required: ['resourceType', 'issue'],
  properties: {
    resourceType: { const: 'OperationOutcome' },
    issue: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['severity', 'code'],
        properties: {
          severity: { enum: ['fatal', 'error', 'warning', 'information'] },
          code: { type: 'string' },
          diagnostics: { type: 'string' },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const manifestValid = ajv.compile(MANIFEST_SCHEMA);
const outcomeValid = ajv.compile(OPERATION_OUTCOME_SCHEMA);

export interface ManifestFile {
  readonly type: string;
  readonly url: string;
  readonly count?: number;
}
export interface Manifest {
  readonly transactionTime: string;
  readonly request: string;
  readonly requiresAccessToken: boolean;
  readonly output: readonly ManifestFile[];
  readonly error: readonly ManifestFile[];
}
export interface OperationOutcome {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly { severity: string; code: string; diagnostics?: string }[];
}

/** A 4xx/5xx of the IG: its OperationOutcome, checked against the schema. */
export class BulkError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
    readonly headers: Headers,
  ) {
    super(`HTTP ${status}: ${outcome.issue.map((i) => i.diagnostics ?? i.code).join('; ')}`);
  }
}

async function outcomeOf(res: Response): Promise<BulkError> {
  const body: unknown = JSON.parse((await res.text()) || 'null');
  if (!outcomeValid(body))
    throw new Error(`HTTP ${res.status} without an OperationOutcome: ${ajv.errorsText(outcomeValid.errors)}`);
  return new BulkError(res.status, body, res.headers);
}

export interface KickOff {
  readonly params?: Readonly<Record<string, string | readonly string[]>>;
  /** POST a Parameters resource instead of a query. */
  readonly post?: boolean;
  /** Extra Prefer directives, e.g. `handling=lenient`. */
  readonly prefer?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class BulkDataClient {
  /** Seconds waited on each 202, as asked by Retry-After (for the test to check). */
  readonly waits: number[] = [];

  constructor(
    private readonly fhirBase: string,
    private readonly token: string,
    private readonly maxWaitMs = 1500,
  ) {}

  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  /** → the status URL (Content-Location of the 202), or a BulkError. */
  async kickOff(path: string, opts: KickOff = {}): Promise<string> {
    const entries = Object.entries(opts.params ?? {}).flatMap(([k, v]) =>
      (typeof v === 'string' ? [v] : v).map((value) => [k, value] as const),
    );
    const headers = {
      ...this.auth(),
      accept: 'application/fhir+json',
      prefer: ['respond-async', ...(opts.prefer ? [opts.prefer] : [])].join(', '),
    };
    const res = opts.post
      ? await fetch(`${this.fhirBase}/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/fhir+json' },
          body: JSON.stringify({
            resourceType: 'Parameters',
            parameter: entries.map(([name, value]) =>
              name === 'patient'
                ? { name, valueReference: { reference: value } }
                : name === '_since'
                  ? { name, valueInstant: value }
                  : { name, valueString: value },
            ),
          }),
        })
      : await fetch(
          `${this.fhirBase}/${path}${entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, v]))}` : ''}`,
          { headers },
        );
    if (res.status !== 202) throw await outcomeOf(res);
    const location = res.headers.get('content-location');
    if (!location) throw new Error('202 without Content-Location');
    await res.arrayBuffer();
    return location;
  }

  /** Polls until the manifest (checked against the schema) or an error status. */
  async poll(statusUrl: string, deadlineMs = 30_000): Promise<Manifest> {
    const until = Date.now() + deadlineMs;
    let backoffMs = 100;
    while (Date.now() < until) {
      const res = await fetch(statusUrl, { headers: { ...this.auth(), accept: 'application/json' } });
      if (res.status === 202) {
        await res.arrayBuffer();
        const retryAfter = res.headers.get('retry-after');
        const seconds = retryAfter
          ? /^\d+$/.test(retryAfter)
            ? Number(retryAfter)
            : (Date.parse(retryAfter) - Date.now()) / 1000
          : undefined;
        if (seconds !== undefined) this.waits.push(seconds);
        await sleep(Math.min(seconds !== undefined ? seconds * 1000 : backoffMs, this.maxWaitMs));
        backoffMs = Math.min(backoffMs * 2, this.maxWaitMs);
        continue;
      }
      if (res.status !== 200) throw await outcomeOf(res);
      if (!/^application\/json/.test(res.headers.get('content-type') ?? ''))
        throw new Error(`manifest as ${res.headers.get('content-type')}, not application/json`);
      const body: unknown = await res.json();
      if (!manifestValid(body)) throw new Error(`manifest off-spec: ${ajv.errorsText(manifestValid.errors)}`);
      return body;
    }
    throw new Error(`no manifest within ${deadlineMs} ms`);
  }

  /** One file of the manifest, parsed as NDJSON (one resource a line). */
  async download(manifest: Manifest, file: ManifestFile): Promise<Record<string, unknown>[]> {
    const res = await fetch(file.url, {
      headers: {
        accept: 'application/fhir+ndjson',
        ...(manifest.requiresAccessToken ? this.auth() : {}),
      },
    });
    if (res.status !== 200) throw await outcomeOf(res);
    if (!/^application\/fhir\+ndjson/.test(res.headers.get('content-type') ?? ''))
      throw new Error(`${file.url} as ${res.headers.get('content-type')}, not application/fhir+ndjson`);
    const text = await res.text();
    const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    return lines.map((line, i) => {
      const resource = JSON.parse(line) as Record<string, unknown>;
      if (resource['resourceType'] !== file.type)
        throw new Error(
          `${file.url} line ${i + 1} is a ${String(resource['resourceType'])}, not ${file.type}`,
        );
      return resource;
    });
  }

  /** Every output file, by type. */
  async downloadAll(manifest: Manifest): Promise<Map<string, Record<string, unknown>[]>> {
    const byType = new Map<string, Record<string, unknown>[]>();
    for (const file of manifest.output) {
      const resources = await this.download(manifest, file);
      if (file.count !== undefined && file.count !== resources.length)
        throw new Error(`${file.url}: count ${file.count}, ${resources.length} lines`);
      byType.set(file.type, [...(byType.get(file.type) ?? []), ...resources]);
    }
    return byType;
  }

  /** DELETE the status URL: 202 expected (returns the status). */
  async delete(statusUrl: string): Promise<number> {
    const res = await fetch(statusUrl, { method: 'DELETE', headers: this.auth() });
    await res.arrayBuffer();
    return res.status;
  }

  /** A status poll's raw HTTP status (e.g. 404 after DELETE). */
  async statusCode(statusUrl: string): Promise<number> {
    const res = await fetch(statusUrl, { headers: this.auth() });
    await res.arrayBuffer();
    return res.status;
  }
}
