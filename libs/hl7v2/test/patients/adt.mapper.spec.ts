import { mapAdtIdentity, parseHl7, PATIENT_ADT_TYPES } from '../../src';

const RID = '11010519491231002X';
const MSH = (type: string) => `MSH|^~\\&|HIS|H001|YILIAN|HUB|20261123090000+0800||${type}|CTL-1|P|2.5.1`;
const EVN = (trigger: string) => `EVN|${trigger}|20261123090000+0800`;

function map(type: string, ...segments: string[]) {
  const parsed = parseHl7([MSH(type), EVN(type.slice(4)), ...segments].join('\r'));
  if (!parsed.ok) throw new Error('fixture does not parse');
  // the type as classifyMessage gives it: MSH-9.1^MSH-9.2
  return mapAdtIdentity(parsed.message, type.split('^').slice(0, 2).join('^'), 'H001');
}

describe('ADT^A08 / A01 / A04: demographics update', () => {
  it('reads MRN, resident ID number, name, birth date and gender from PID', () => {
    const mapped = map(
      'ADT^A08^ADT_A01',
      `PID|1||H-100^^^HIS^MR~${RID}^^^NNCHN^NNCHN||王^小明||19491231|F|||北京市西城区^^北京^^100000||13800000000`,
    );
    expect(mapped).toEqual({
      ok: true,
      requests: [
        {
          request: {
            kind: 'update',
            record: { residentId: RID, mrn: { institution: 'H001', value: 'H-100' } },
            demographics: { name: [{ text: '王小明' }], gender: 'female', birthDate: '1949-12-31' },
          },
          record: { segment: 'PID', sequence: 1, field: 3 },
        },
      ],
    });
    // address and phone are not carried
    expect(JSON.stringify(mapped)).not.toMatch(/北京市|13800000000/);
  });

  it('takes an MRN-only registration (A04) as it is', () => {
    const mapped = map('ADT^A04', 'PID|1||H-300^^^HIS^MR||李^雷||19800101|M');
    expect(mapped.ok && mapped.requests[0]!.request).toEqual({
      kind: 'update',
      record: { mrn: { institution: 'H001', value: 'H-300' } },
      demographics: { name: [{ text: '李雷' }], gender: 'male', birthDate: '1980-01-01' },
    });
  });

  it('answers a bad resident ID number with an error at PID-3 that does not repeat it', () => {
    const mapped = map('ADT^A01', 'PID|1||H-100^^^HIS^MR~110105194912310021^^^NNCHN^NNCHN||王^小明');
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.errors).toEqual([
      expect.objectContaining({ segment: 'PID', field: 3, repetition: 2, code: 102 }),
    ]);
    expect(JSON.stringify(mapped.errors)).not.toContain('110105194912310021');
  });

  it('needs a PID', () => {
    expect(map('ADT^A08', 'PV1|1|O')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ segment: 'PID', code: 100 })],
    });
  });
});

describe('the other ADT events with the patient’s PID: tracking, pending, cancel, visit move, allergies', () => {
  it.each([
    ['ADT^A09^ADT_A09', ['PV1|1|I|内科^101^1^H001']],
    ['ADT^A11^ADT_A09', ['PV1|1|I|内科^101^1^H001']],
    ['ADT^A13^ADT_A01', ['PV1|1|I|内科^101^1^H001']],
    ['ADT^A14^ADT_A05', ['PV1|1|P|内科^101^1^H001']],
    ['ADT^A16^ADT_A16', ['PV1|1|I|内科^101^1^H001']],
    ['ADT^A27^ADT_A21', ['PV1|1|P|内科^101^1^H001']],
    ['ADT^A45^ADT_A45', ['MRG|H-999^^^HIS^MR|||||V-77', 'PV1|1|I|内科^101^1^H001']],
    ['ADT^A60^ADT_A60', ['IAM|1|DA|1605^Penicillin^L']],
  ] as const)('%s: an update from its PID (a visit’s MRG is no merge)', (type, rest) => {
    const mapped = map(type, `PID|1||H-400^^^HIS^MR~${RID}^^^NNCHN^NNCHN||赵^六||19491231|M`, ...rest);
    expect(PATIENT_ADT_TYPES.has(type.split('^').slice(0, 2).join('^'))).toBe(true);
    expect(mapped.ok && mapped.requests.map((r) => r.request.kind)).toEqual(['update']);
    expect(mapped.ok && mapped.requests[0]!.request).toMatchObject({
      record: { residentId: RID, mrn: { institution: 'H001', value: 'H-400' } },
    });
  });

  it('ADT^A29 (delete person information) is no update', () => {
    expect(PATIENT_ADT_TYPES.has('ADT^A29')).toBe(false);
  });
});

describe('ADT^A40: merge', () => {
  it('merges the MRG-1 MRN into the PID patient, one request per PID/MRG pair', () => {
    const mapped = map(
      'ADT^A40^ADT_A39',
      `PID|1||H-100^^^HIS^MR~${RID}^^^NNCHN^NNCHN||王^小明`,
      'MRG|H-400^^^HIS^MR',
      'PID|2||H-101^^^HIS^MR',
      'MRG|H-401',
    );
    expect(mapped).toEqual({
      ok: true,
      requests: [
        {
          request: {
            kind: 'merge',
            survivor: { residentId: RID, mrn: { institution: 'H001', value: 'H-100' } },
            prior: { mrn: { institution: 'H001', value: 'H-400' } },
          },
          record: { segment: 'PID', sequence: 1, field: 3 },
          prior: { segment: 'MRG', sequence: 1, field: 1 },
        },
        expect.objectContaining({
          request: {
            kind: 'merge',
            survivor: { mrn: { institution: 'H001', value: 'H-101' } },
            prior: { mrn: { institution: 'H001', value: 'H-401' } },
          },
          prior: { segment: 'MRG', sequence: 2, field: 1 },
        }),
      ],
    });
  });

  it('takes the MR-typed prior identifier, never a resident ID number, from MRG-1', () => {
    const mapped = map('ADT^A40', 'PID|1||H-100^^^HIS^MR', `MRG|${RID}~V-9^^^HIS^VN~H-400^^^HIS^MR`);
    expect(mapped.ok && mapped.requests[0]!.request).toMatchObject({
      prior: { mrn: { institution: 'H001', value: 'H-400' } },
    });
  });

  it('says where the MRG or its MRN is missing', () => {
    expect(map('ADT^A40', 'PID|1||H-100^^^HIS^MR')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ segment: 'MRG', code: 100 })],
    });
    expect(map('ADT^A40', 'PID|1||H-100^^^HIS^MR', `MRG|${RID}^^^NNCHN^NNCHN`)).toEqual({
      ok: false,
      errors: [expect.objectContaining({ segment: 'MRG', sequence: 1, field: 1, code: 101 })],
    });
  });
});

describe('ADT^A37: separate (the hub’s unmerge convention)', () => {
  it('separates the second PID’s record from the first', () => {
    const mapped = map(
      'ADT^A37^ADT_A37',
      `PID|1||H-100^^^HIS^MR~${RID}^^^NNCHN^NNCHN`,
      'PV1|1|O',
      'PID|2||H-400^^^HIS^MR',
    );
    expect(mapped).toEqual({
      ok: true,
      requests: [
        {
          request: {
            kind: 'separate',
            survivor: { residentId: RID, mrn: { institution: 'H001', value: 'H-100' } },
            prior: { mrn: { institution: 'H001', value: 'H-400' } },
          },
          record: { segment: 'PID', sequence: 1, field: 3 },
          prior: { segment: 'PID', sequence: 2, field: 3 },
        },
      ],
    });
  });

  it('needs two PIDs', () => {
    expect(map('ADT^A37', 'PID|1||H-100^^^HIS^MR')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ segment: 'PID', sequence: 2, code: 100 })],
    });
  });
});
