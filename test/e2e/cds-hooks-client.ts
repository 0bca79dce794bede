/**
 * A small CDS Hooks 2.0 client, as an HIS would be: it discovers the services, calls a hook and
 * sends feedback — and checks every document it receives against the spec's required fields
 * and enumerations (https://cds-hooks.hl7.org/2.0/: Discovery, CDS Service Response, Card
 * Attributes, Source, Suggestion, Action, Link; optional attributes omitted, never null or
 * empty). A violation throws with the attribute's path.
 */
export interface SpecProblem {
  readonly path: string;
  readonly problem: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(problems: SpecProblem[], ok: boolean, path: string, problem: string): void {
  if (!ok) problems.push({ path, problem });
}

/** Present attributes must not be null, "", [] or {}. */
function notEmpty(problems: SpecProblem[], o: Json, path: string): void {
  for (const [k, v] of Object.entries(o))
    check(
      problems,
      v !== null &&
        v !== '' &&
        !(Array.isArray(v) && v.length === 0) &&
        !(isObject(v) && Object.keys(v).length === 0),
      `${path}.${k}`,
      'null or empty (omit it instead)',
    );
}

const requiredString = (problems: SpecProblem[], o: Json, key: string, path: string) =>
  check(problems, typeof o[key] === 'string' && o[key].length > 0, `${path}.${key}`, 'required string');

function absoluteUrl(v: unknown): boolean {
  try {
    return typeof v === 'string' && /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

function checkCoding(problems: SpecProblem[], c: unknown, path: string, needsDisplay: boolean): void {
  if (!isObject(c)) return check(problems, false, path, 'Coding object');
  requiredString(problems, c, 'code', path);
  if (needsDisplay) requiredString(problems, c, 'display', path);
}

export function discoveryProblems(doc: unknown): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (!isObject(doc) || !Array.isArray(doc['services']))
    return [{ path: 'services', problem: 'required array' }];
  doc['services'].forEach((s: unknown, i) => {
    const at = `services[${i}]`;
    if (!isObject(s)) return check(problems, false, at, 'object');
    for (const key of ['hook', 'description', 'id']) requiredString(problems, s, key, at);
    if (s['prefetch'] !== undefined) {
      check(problems, isObject(s['prefetch']), `${at}.prefetch`, 'object of prefetch templates');
      for (const [k, v] of Object.entries(isObject(s['prefetch']) ? s['prefetch'] : {}))
        check(
          problems,
          typeof v === 'string' && v.length > 0,
          `${at}.prefetch.${k}`,
          'FHIR query template string',
        );
    }
    notEmpty(problems, s, at);
  });
  return problems;
}

export function cardProblems(card: unknown, path: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (!isObject(card)) return [{ path, problem: 'Card object' }];
  notEmpty(problems, card, path);
  requiredString(problems, card, 'summary', path);
  check(
    problems,
    typeof card['summary'] === 'string' && [...card['summary']].length < 140,
    `${path}.summary`,
    'fewer than 140 characters',
  );
  check(
    problems,
    ['info', 'warning', 'critical'].includes(card['indicator'] as string),
    `${path}.indicator`,
    'info | warning | critical',
  );
  const source = card['source'];
  if (!isObject(source)) check(problems, false, `${path}.source`, 'required Source');
  else {
    requiredString(problems, source, 'label', `${path}.source`);
    if (source['url'] !== undefined)
      check(problems, absoluteUrl(source['url']), `${path}.source.url`, 'absolute URL');
    if (source['topic'] !== undefined) checkCoding(problems, source['topic'], `${path}.source.topic`, false);
  }
  if (card['suggestions'] !== undefined) {
    check(
      problems,
      ['at-most-one', 'any'].includes(card['selectionBehavior'] as string),
      `${path}.selectionBehavior`,
      'required with suggestions: at-most-one | any',
    );
    (Array.isArray(card['suggestions']) ? card['suggestions'] : []).forEach((s: unknown, i) => {
      const at = `${path}.suggestions[${i}]`;
      if (!isObject(s)) return check(problems, false, at, 'Suggestion object');
      requiredString(problems, s, 'label', at);
      if (s['isRecommended'] !== undefined)
        check(problems, typeof s['isRecommended'] === 'boolean', `${at}.isRecommended`, 'boolean');
      (Array.isArray(s['actions']) ? s['actions'] : []).forEach((a: unknown, j) => {
        const aat = `${at}.actions[${j}]`;
        if (!isObject(a)) return check(problems, false, aat, 'Action object');
        check(
          problems,
          ['create', 'update', 'delete'].includes(a['type'] as string),
          `${aat}.type`,
          'create | update | delete',
        );
        requiredString(problems, a, 'description', aat);
        if (a['type'] === 'delete')
          check(
            problems,
            typeof a['resourceId'] === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(a['resourceId']),
            `${aat}.resourceId`,
            'a relative reference (Type/id) string for a delete (2.0 Action table)',
          );
        if (a['type'] === 'create' || a['type'] === 'update')
          check(problems, isObject(a['resource']), `${aat}.resource`, 'FHIR resource');
      });
    });
  }
  (Array.isArray(card['overrideReasons']) ? card['overrideReasons'] : []).forEach((c: unknown, i) =>
    checkCoding(problems, c, `${path}.overrideReasons[${i}]`, true),
  );
  (Array.isArray(card['links']) ? card['links'] : []).forEach((l: unknown, i) => {
    const at = `${path}.links[${i}]`;
    if (!isObject(l)) return check(problems, false, at, 'Link object');
    requiredString(problems, l, 'label', at);
    check(problems, ['absolute', 'smart'].includes(l['type'] as string), `${at}.type`, 'absolute | smart');
    if (l['type'] === 'absolute') check(problems, absoluteUrl(l['url']), `${at}.url`, 'absolute URL');
  });
  return problems;
}

export function responseProblems(doc: unknown): SpecProblem[] {
  if (!isObject(doc) || !Array.isArray(doc['cards'])) return [{ path: 'cards', problem: 'required array' }];
  return doc['cards'].flatMap((c: unknown, i) => cardProblems(c, `cards[${i}]`));
}

export interface CdsAnswer<T> {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: T;
}

export class CdsHooksClient {
  constructor(
    private readonly baseUrl: string,
    private readonly bearer?: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  private headers(): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
      ...this.extraHeaders,
    };
  }

  /** `GET {baseUrl}/cds-services`, checked against the spec. */
  async discover(): Promise<{
    services: {
      hook: string;
      id: string;
      description: string;
      title?: string;
      prefetch?: Record<string, string>;
    }[];
  }> {
    const res = await fetch(`${this.baseUrl}/cds-services`, { headers: this.headers() });
    if (res.status !== 200) throw new Error(`discovery: HTTP ${res.status}`);
    const doc = await res.json();
    const problems = discoveryProblems(doc);
    if (problems.length > 0) throw new Error(`discovery off-spec: ${JSON.stringify(problems)}`);
    return doc as { services: { hook: string; id: string; description: string }[] };
  }

  async post<T = unknown>(path: string, body: unknown): Promise<CdsAnswer<T>> {
    const res = await fetch(`${this.baseUrl}/cds-services/${path}`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }

  /** `POST {baseUrl}/cds-services/{id}`: a 200 is checked against the spec's response shape. */
  async call<T = { cards: Json[] }>(serviceId: string, request: unknown): Promise<CdsAnswer<T>> {
    const answer = await this.post<T>(encodeURIComponent(serviceId), request);
    if (answer.status === 200) {
      const problems = responseProblems(answer.body);
      if (problems.length > 0) throw new Error(`response off-spec: ${JSON.stringify(problems)}`);
    }
    return answer;
  }

  feedback(serviceId: string, feedback: unknown): Promise<CdsAnswer<unknown>> {
    return this.post(`${encodeURIComponent(serviceId)}/feedback`, feedback);
  }
}
