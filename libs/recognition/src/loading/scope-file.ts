/**
 * A scope definition (JSON) → RecognitionScopeDefined: `{scope, kind, name, mark,
 * higherAcceptsLower, tight, effectiveFrom, members?, sample?}`. The kind must be the scope
 * code's prefix; an alliance scope takes its members from the alliance's membership and lists
 * none; any other scope lists its members `[{institution, level}]` (each once). A problem names
 * the field (`members[2].level`: row 2 of the member list).
 */
import {
  checkRecognitionScopeDefinedV1,
  INSTITUTION_LEVELS,
  SCOPE_KINDS,
  type InstitutionLevel,
  type RecognitionScopeDefinedV1,
} from '@yilian/contracts';
import { day, duplicates, got, oneOf, text, yesNo } from './cells';
import { institutionCell, ParameterReader, scopeCodeCell } from './load-parameters';
import { loaded, rejected, type Loaded, type LoadProblem } from './load-problem';

const FIELDS = [
  'scope',
  'kind',
  'name',
  'mark',
  'higherAcceptsLower',
  'tight',
  'members',
  'effectiveFrom',
  'sample',
];

export function parseScopeFile(json: unknown): Loaded<RecognitionScopeDefinedV1> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return rejected([
      {
        message: `expected a JSON object {scope, kind, name, mark, higherAcceptsLower, tight, effectiveFrom, members?}, got ${got(json)}`,
      },
    ]);
  const o = json as Record<string, unknown>;
  const p = new ParameterReader();
  const problems: LoadProblem[] = [];
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k))
      problems.push({ column: k, message: `unknown field; the fields are ${FIELDS.join(', ')}` });
  const scope = p.take('scope', o['scope'], scopeCodeCell, true);
  const kind = p.take('kind', o['kind'], oneOf(SCOPE_KINDS), true);
  const name = p.take('name', o['name'], text('a name of up to 200 characters', { max: 200 }), true);
  const mark = p.take(
    'mark',
    o['mark'],
    text('a mark of up to 32 characters (e.g. 鄂HR)', { max: 32 }),
    true,
  );
  const higherAcceptsLower = p.take('higherAcceptsLower', o['higherAcceptsLower'], yesNo, true);
  const tight = p.take('tight', o['tight'], yesNo, true);
  const effectiveFrom = p.take('effectiveFrom', o['effectiveFrom'], day, true);
  const sample = p.take('sample', o['sample'], yesNo, false);
  problems.push(...p.problems);
  if (scope && kind && !scope.startsWith(`${kind}:`))
    problems.push({
      column: 'kind',
      message: `is ${kind}, but the scope code ${scope} says ${scope.split(':')[0]}`,
    });
  const members: { institution: string; level: InstitutionLevel }[] = [];
  if (kind === 'alliance' && o['members'] !== undefined)
    problems.push({
      column: 'members',
      message: "an alliance scope's members come from the alliance's membership: leave members out",
    });
  else if (kind && kind !== 'alliance') {
    if (!Array.isArray(o['members']) || o['members'].length === 0)
      problems.push({
        column: 'members',
        message: `a ${kind} scope lists its members: [{"institution": "…", "level": "tertiary|secondary|primary"}]`,
      });
    else {
      const keys: { row: number; key: string | undefined }[] = [];
      o['members'].forEach((m: unknown, i) => {
        const row = i + 1;
        const at = (f: string) => `members[${row}].${f}`;
        const mo = typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
        const mp = new ParameterReader();
        const institution = mp.take(at('institution'), mo['institution'], institutionCell, true);
        const level = mp.take(at('level'), mo['level'], oneOf(INSTITUTION_LEVELS), true);
        problems.push(...mp.problems);
        keys.push({ row, key: institution });
        if (institution && level) members.push({ institution, level });
      });
      problems.push(
        ...duplicates(keys, 'members', (c) => `institution "${c}"`).map((d) => ({
          column: `members[${d.row}].institution`,
          message: d.message.replace('on row', 'at member'),
        })),
      );
    }
  }
  if (
    problems.length > 0 ||
    !scope ||
    !kind ||
    !name ||
    !mark ||
    higherAcceptsLower === undefined ||
    tight === undefined ||
    !effectiveFrom
  )
    return rejected(problems);
  const data: RecognitionScopeDefinedV1 = {
    scope,
    kind,
    name,
    mark,
    higherAcceptsLower,
    tight,
    ...(kind !== 'alliance' ? { members } : {}),
    effectiveFrom,
    ...(sample ? { sample: true } : {}),
  };
  return loaded(
    data,
    checkRecognitionScopeDefinedV1(data, 'data').map((message) => ({ message })),
  );
}
