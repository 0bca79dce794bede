import type { Request } from 'express';
import iconv from 'iconv-lite';
import type { LoadProblem, RuleFile } from '@yilian/recognition';
import { JsonHttpError } from '../referrals/json-errors';

/** A CSV body may be this large (a national catalogue of 20,000 items is ~3 MB). */
export const CSV_LIMIT_BYTES = 16 * 1024 * 1024;

const GB = new Set(['gb18030', 'gbk', 'gb2312']);

export interface RuleFileBody {
  readonly file: RuleFile;
  /** A JSON body's other fields (effectiveFrom, source, sample …); empty for CSV. */
  readonly envelope: Readonly<Record<string, unknown>>;
}

/**
 * The file a rules route is sent: `application/json` (already parsed by the HTTP set-up, up to
 * its 10 MB), or `text/csv` read here, up to 16 MiB, as UTF-8 (a byte-order mark is fine) or, with
 * `charset=gb18030` (or gbk), as Excel saves CSV on Chinese Windows. 415 for anything else; a
 * CSV that is not valid UTF-8 is a problem of the file (422), never read as mojibake.
 */
export async function ruleFileBody(
  req: Request,
  { csv = true } = {},
): Promise<RuleFileBody | { problems: LoadProblem[] }> {
  const [type = '', ...params] = (req.headers['content-type'] ?? '')
    .split(';')
    .map((s) => s.trim().toLowerCase());
  if (type === 'application/json') {
    const body: unknown = req.body;
    const envelope =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    return { file: { json: body }, envelope };
  }
  if (type !== 'text/csv' || !csv)
    throw new JsonHttpError(
      415,
      csv
        ? 'send the file as text/csv (UTF-8, or charset=gb18030) or as application/json'
        : 'send application/json',
    );
  const charset =
    params
      .find((p) => p.startsWith('charset='))
      ?.slice('charset='.length)
      .replace(/"/g, '') ?? 'utf-8';
  if (charset !== 'utf-8' && charset !== 'utf8' && !GB.has(charset))
    throw new JsonHttpError(415, `charset ${charset}: send UTF-8 or GB18030`);
  const bytes = await readBody(req, CSV_LIMIT_BYTES);
  if (GB.has(charset)) return { file: { csv: iconv.decode(bytes, 'gb18030') }, envelope: {} };
  try {
    return { file: { csv: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }, envelope: {} };
  } catch {
    return {
      problems: [
        {
          message:
            'the file is not UTF-8: save it as "CSV UTF-8", or send it with Content-Type: text/csv; charset=gb18030 (Excel\'s CSV on Chinese Windows)',
        },
      ],
    };
  }
}

function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return reject(new JsonHttpError(413, `the file is larger than ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new JsonHttpError(413, `the file is larger than ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** A parameter from the query string or the JSON envelope; both, and different: a problem. */
export function parameter(
  name: string,
  query: Readonly<Record<string, unknown>>,
  envelope: Readonly<Record<string, unknown>>,
  problems: LoadProblem[],
): unknown {
  const q = query[name];
  const e = envelope[name];
  if (Array.isArray(q)) problems.push({ column: name, message: 'given more than once in the query' });
  if (q !== undefined && e !== undefined && asText(q) !== asText(e))
    problems.push({
      column: name,
      message: `the query says ${JSON.stringify(q)}, the body ${JSON.stringify(e)}: give it once`,
    });
  return q ?? e;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
