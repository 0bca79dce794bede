import { formatProblem, type Loaded } from './load-problem';
import { parseCodeMapFile } from './code-map-file';
import { parseQualityFile } from './quality-file';
import { parseScopeFile } from './scope-file';
import { parseWithdrawalFile } from './withdrawal-file';

function problemsOf<T>(result: Loaded<T>): string[] {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.problems.map(formatProblem);
}

describe('parseQualityFile', () => {
  const HEADER =
    'statusId,institution,itemCodes,groups,scheme,issuer,validFrom,validUntil,revokedFrom,revokedReason';

  it('records each row, and revokes the rows that carry revokedFrom', () => {
    const result = parseQualityFile(
      {
        csv: [
          HEADER,
          'EQA-2024-H1,DEMOH1,,biochem;glyco,EQA,湖北省临床检验中心,2024-01-01,2024-12-31,,',
          'QC-US-S1,DEMOS1,US-ABDOMEN,,imaging-qc,,2024-01-01,2024-12-31,2024-06-01,复核未通过',
        ].join('\n'),
      },
      { sample: true },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        recorded: [
          {
            statusId: 'EQA-2024-H1',
            institution: 'DEMOH1',
            groups: ['biochem', 'glyco'],
            scheme: 'EQA',
            issuer: '湖北省临床检验中心',
            validFrom: '2024-01-01',
            validUntil: '2024-12-31',
            sample: true,
          },
          {
            statusId: 'QC-US-S1',
            institution: 'DEMOS1',
            itemCodes: ['US-ABDOMEN'],
            scheme: 'imaging-qc',
            validFrom: '2024-01-01',
            validUntil: '2024-12-31',
            sample: true,
          },
        ],
        revoked: [
          { statusId: 'QC-US-S1', institution: 'DEMOS1', revokedFrom: '2024-06-01', reason: '复核未通过' },
        ],
      },
    });
  });

  it('names every bad row', () => {
    const problems = problemsOf(
      parseQualityFile({
        csv: [
          HEADER,
          'A,DEMOH1,,biochem,EQA,,2024-01-01,2023-12-31,,', // row 2: until before from
          'B,DEMO 01,K;N A,,EQA,,2024-13-01,2024-12-31,2024-06-01,', // row 3
          'A,DEMOH1,,biochem,EQA,,2024-01-01,2024-12-31,,', // row 4: duplicate
          'C,DEMOS1,,,EQA,,2024-01-01,2024-12-31,,why', // row 5: covers nothing, reason without day
        ].join('\n'),
      }),
    );
    expect(problems).toEqual([
      'row 2, column validUntil: is before validFrom (2024-01-01)',
      'row 3, column institution: expected an institution code (letters, digits, . _ -; up to 64), got "DEMO 01"',
      'row 3, column itemCodes: expected an item code (letters, digits, . _ -; up to 64), got "N A"',
      'row 3, column validFrom: expected a calendar day YYYY-MM-DD, got "2024-13-01"',
      'row 3, column revokedReason: required with revokedFrom',
      'row 4, column statusId: status "A" of DEMOH1 is already on row 2: each may appear once in a file',
      'row 5, column itemCodes: name the items (itemCodes) or item groups (groups) the status covers',
      'row 5, column revokedFrom: required with revokedReason',
    ]);
  });

  it('reads JSON statuses', () => {
    const result = parseQualityFile({
      json: {
        statuses: [
          {
            statusId: 'X',
            institution: 'DEMO01',
            groups: ['biochem'],
            scheme: 'EQA',
            validFrom: '2024-01-01',
            validUntil: '2024-12-31',
          },
        ],
      },
    });
    expect(result.ok && result.value.recorded).toHaveLength(1);
  });
});

describe('parseScopeFile', () => {
  const province = {
    scope: 'province:42',
    kind: 'province',
    name: '湖北省',
    mark: '鄂HR',
    higherAcceptsLower: false,
    tight: false,
    effectiveFrom: '2024-01-01',
    members: [
      { institution: 'DEMOH1', level: 'tertiary' },
      { institution: 'DEMO01', level: 'primary' },
    ],
  };

  it('defines a scope with its members', () => {
    expect(parseScopeFile(province)).toEqual({ ok: true, value: province });
  });

  it('an alliance scope lists no members (its membership decides)', () => {
    const alliance = {
      ...province,
      scope: 'alliance:demo-alliance',
      kind: 'alliance',
      members: undefined,
      sample: true,
    };
    expect(parseScopeFile(alliance).ok).toBe(true);
    expect(problemsOf(parseScopeFile({ ...alliance, members: province.members }))).toEqual([
      "column members: an alliance scope's members come from the alliance's membership: leave members out",
    ]);
  });

  it('names every wrong field', () => {
    const problems = problemsOf(
      parseScopeFile({
        ...province,
        kind: 'city',
        tight: 'maybe',
        colour: 1,
        members: [
          { institution: 'DEMOH1', level: 'tertiary' },
          { institution: 'DEMOH1', level: 'third' },
        ],
      }),
    );
    expect(problems).toEqual([
      'column colour: unknown field; the fields are scope, kind, name, mark, higherAcceptsLower, tight, members, effectiveFrom, sample',
      'column tight: expected true or false, got "maybe"',
      'column kind: is city, but the scope code province:42 says province',
      'column members[2].level: expected one of tertiary, secondary, primary, got "third"',
      'column members[2].institution: institution "DEMOH1" is already at member 1: each may appear once in a file',
    ]);
  });
});

describe('parseCodeMapFile', () => {
  it('maps codes, and unmaps those without an item code', () => {
    const result = parseCodeMapFile(
      { csv: 'code,system,itemCode\nCT0101,,CT-CHEST\nGLU01,urn:lis,GLU\nOLD,,\n' },
      'DEMOS1',
    );
    expect(result).toEqual({
      ok: true,
      value: {
        institution: 'DEMOS1',
        mappings: [
          { code: 'CT0101', itemCode: 'CT-CHEST' },
          { code: 'GLU01', system: 'urn:lis', itemCode: 'GLU' },
          { code: 'OLD' },
        ],
      },
    });
  });

  it('names repeats and bad item codes', () => {
    expect(
      problemsOf(parseCodeMapFile({ csv: 'code,system,itemCode\nA,,K\nA,,NA\nB,,N A\n' }, 'DEMOS1')),
    ).toEqual([
      'row 3, column code: code "A" is already on row 2: each may appear once in a file',
      'row 4, column itemCode: expected an item code (letters, digits, . _ -; up to 64), got "N A"',
    ]);
  });
});

describe('parseWithdrawalFile', () => {
  const context = { scope: 'province:42', effectiveFrom: '2025-01-01', source: '鄂卫通〔2024〕9号' };

  it('takes a JSON list of codes or a CSV code column', () => {
    const json = parseWithdrawalFile({ json: { itemCodes: ['K', 'NA'] } }, context);
    expect(json.ok && json.value).toEqual({ data: { ...context, itemCodes: ['K', 'NA'] }, rows: [1, 2] });
    const csv = parseWithdrawalFile({ csv: 'code\nK\n\nLI\n' }, context);
    expect(csv.ok && csv.value.rows).toEqual([2, 4]);
  });

  it('names repeated and malformed codes', () => {
    expect(problemsOf(parseWithdrawalFile({ csv: 'code\nK\nK\nN A\n' }, context))).toEqual([
      'row 3, column code: item code "K" is already on row 2: each may appear once in a file',
      'row 4, column code: expected an item code (letters, digits, . _ -; up to 64), got "N A"',
    ]);
  });
});
