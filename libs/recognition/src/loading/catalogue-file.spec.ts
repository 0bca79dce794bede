import { formatProblem } from './load-problem';
import { isLoinc } from './cells';
import { parseCatalogueFile } from './catalogue-file';

const context = { scope: 'province:42', effectiveFrom: '2024-01-01', source: '鄂卫通〔2023〕56号' };
const HEADER =
  'code,name,kind,validityDays,priceYuan,group,loinc,localCodes,modalities,bodySites,procedureCodes';

function csv(...rows: string[]): { csv: string } {
  return { csv: [HEADER, ...rows].join('\r\n') + '\r\n' };
}

function problemsOf(result: ReturnType<typeof parseCatalogueFile>): string[] {
  if (result.ok) throw new Error('expected problems, got a catalogue');
  return result.problems.map(formatProblem);
}

describe('parseCatalogueFile', () => {
  it('turns a CSV file into one publication, multi-valued cells split on ";"', () => {
    const result = parseCatalogueFile(
      csv(
        'K,钾,lab,7,5.50,biochem,2823-3,,,,',
        'CA,钙,lab,7,5,biochem,17861-6; 2000-8,urn:lis|CA01,,,',
        'CT-CHEST,胸部CT平扫,imaging,30,200,ct,,,ct;MR,51185008;胸部,',
      ),
      { ...context, sample: 'true' },
    );
    expect(result).toEqual({
      ok: true,
      value: {
        scope: 'province:42',
        effectiveFrom: '2024-01-01',
        source: '鄂卫通〔2023〕56号',
        sample: true,
        items: [
          {
            code: 'K',
            name: '钾',
            kind: 'lab',
            validityDays: 7,
            priceYuan: 5.5,
            group: 'biochem',
            loinc: ['2823-3'],
          },
          {
            code: 'CA',
            name: '钙',
            kind: 'lab',
            validityDays: 7,
            priceYuan: 5,
            group: 'biochem',
            loinc: ['17861-6', '2000-8'],
            localCodes: ['urn:lis|CA01'],
          },
          {
            code: 'CT-CHEST',
            name: '胸部CT平扫',
            kind: 'imaging',
            validityDays: 30,
            priceYuan: 200,
            group: 'ct',
            modalities: ['CT', 'MR'],
            bodySites: ['51185008', '胸部'],
          },
        ],
      },
    });
  });

  it('reads UTF-8 with a byte-order mark (Excel "CSV UTF-8")', () => {
    const result = parseCatalogueFile(
      { csv: `\uFEFF${HEADER}\n镁,镁,lab,7,,,19123-9,,,,\n`.replace('镁,镁', 'MG,镁') },
      context,
    );
    expect(result.ok && result.value.items[0]).toEqual({
      code: 'MG',
      name: '镁',
      kind: 'lab',
      validityDays: 7,
      loinc: ['19123-9'],
    });
  });

  it('names every bad row with its spreadsheet row number, column and what is wrong', () => {
    const problems = problemsOf(
      parseCatalogueFile(
        csv(
          'K,钾,lab,7,5,biochem,2823-3,,,,', // row 2: fine
          'NA,钠,lab,7d,5,biochem,2951-2,,,,', // row 3
          'CL,氯,labs,7,five,biochem,2075-1,,,,', // row 4: kind, price, LOINC check digit
          'K,钾again,lab,7,5,biochem,2823-3,,,,', // row 5: duplicate code
          ',,lab,0,,,,,,,', // row 6: code and name empty, 0 days, no code to match on
          'CT-X,CT,imaging,30,,ct,2823-3,,XYZ,胸部,', // row 7: loinc on imaging, bad modality
        ),
        context,
      ),
    );
    expect(problems).toEqual([
      'row 3, column validityDays: expected a whole number of days from 1 to 3650, got "7d"',
      'row 4, column kind: expected one of lab, imaging, got "labs"',
      'row 4, column priceYuan: expected a price in yuan from 0 to 1000000 with at most 2 decimals (e.g. 12.50), got "five"',
      'row 4, column loinc: "2075-1" is not a LOINC code (digits, "-", its check digit)',
      'row 5, column code: item code "K" is already on row 2: each may appear once in a file',
      'row 6, column code: required, empty',
      'row 6, column name: required, empty',
      'row 6, column validityDays: expected a whole number of days from 1 to 3650, got "0"',
      'row 6, column loinc: a lab item needs a LOINC code (or localCodes) to be matched',
      'row 7, column modalities: "XYZ" is not a DICOM modality (CT, MR, DX, CR, US, MG …)',
      'row 7, column loinc: only for lab items; put imaging codes in procedureCodes',
    ]);
  });

  it('counts rows as a spreadsheet does: blank rows and multi-line cells', () => {
    const problems = problemsOf(
      parseCatalogueFile(
        csv('K,"钾\n(serum)",lab,7,,,2823-3,,,,', ',,,,,,,,,,', 'NA,钠,lab,x,,,2951-2,,,,'),
        context,
      ),
    );
    expect(problems).toEqual([
      'row 4, column validityDays: expected a whole number of days from 1 to 3650, got "x"',
    ]);
  });

  it('checks the header: unknown and missing columns on row 1; a notes column is ignored', () => {
    const problems = problemsOf(
      parseCatalogueFile({ csv: 'code,name,validity_days,notes\nK,钾,7,x\n' }, context),
    );
    expect(problems).toEqual([
      'row 1, column validity_days: unknown column; the columns are code, name, kind, validityDays, priceYuan, group, loinc, localCodes, modalities, bodySites, procedureCodes',
      'row 1, column kind: required column missing',
      'row 1, column validityDays: required column missing',
    ]);
  });

  it('names the parameters that come with the file', () => {
    const problems = problemsOf(
      parseCatalogueFile(csv('K,钾,lab,7,,,2823-3,,,,'), {
        scope: 'province 42',
        effectiveFrom: '2024-02-30',
        source: '',
      }),
    );
    expect(problems).toEqual([
      'column scope: expected a scope code kind:id (e.g. province:42, alliance:demo-alliance), got "province 42"',
      'column effectiveFrom: expected a calendar day YYYY-MM-DD, got "2024-02-30"',
      'column source: required, missing',
    ]);
  });

  it('reads JSON: a list, or an envelope with items; typed values and lists accepted', () => {
    const items = [
      {
        code: 'HBA1C',
        name: '糖化血红蛋白',
        kind: 'lab',
        validityDays: 60,
        priceYuan: 50,
        loinc: ['4548-4'],
      },
      {
        code: 'DR-CHEST',
        name: '胸部DR',
        kind: 'imaging',
        validityDays: 14,
        modalities: 'DX;CR',
        bodySites: ['51185008'],
      },
    ];
    const result = parseCatalogueFile({ json: { items } }, context);
    expect(result.ok && result.value.items.map((i) => [i.code, i.loinc ?? i.modalities])).toEqual([
      ['HBA1C', ['4548-4']],
      ['DR-CHEST', ['DX', 'CR']],
    ]);
    const bad = problemsOf(
      parseCatalogueFile({ json: [{ ...items[0], validityDays: 7.5, colour: 'red' }] }, context),
    );
    expect(bad).toEqual([
      'row 1, column colour: unknown field; the fields are code, name, kind, validityDays, priceYuan, group, loinc, localCodes, modalities, bodySites, procedureCodes',
      'row 1, column validityDays: expected a whole number of days from 1 to 3650, got 7.5',
    ]);
  });

  it('a file with one bad row yields nothing at all', () => {
    const result = parseCatalogueFile(csv('K,钾,lab,7,,,2823-3,,,,', 'NA,钠,lab,7,,,2951-3,,,,'), context);
    expect(result.ok).toBe(false);
    expect('value' in result).toBe(false);
  });

  it('rejects an empty file and a header without rows', () => {
    expect(problemsOf(parseCatalogueFile({ csv: '' }, context))).toEqual([
      'row 1: the file is empty: the first row must name the columns',
    ]);
    expect(problemsOf(parseCatalogueFile({ csv: `${HEADER}\n` }, context))).toEqual([
      'the file has a header but no rows',
    ]);
  });
});

describe('isLoinc', () => {
  it.each(['2823-3', '2951-2', '17861-6', '4548-4', '14334-7', '13457-7'])('accepts %s', (code) =>
    expect(isLoinc(code)).toBe(true),
  );
  it.each(['2823-4', '2823', 'K', '2823-33'])('refuses %s', (code) => expect(isLoinc(code)).toBe(false));
});
