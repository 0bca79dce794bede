import { Client } from 'pg';
import { patientStream, type PatientEvent, type RecordedEvent } from '@yilian/contracts';
import { createTestDatabase } from '@yilian/testing';
import { patientLinksProjection, PATIENT_LINKS_DDL } from './patient-links.projection';
import { canonicalPatientKey, samePatientKeys } from './patient-links.queries';

// The links projection and its queries on a real PostgreSQL: a patient seen at two
// institutions, an MRN-only record linked later, a merge and its unmerge; replaying the same
// events (a rebuild, or every event delivered twice) gives the same table.
let client: Client;
beforeAll(async () => {
  client = new Client({ connectionString: await createTestDatabase('patient_links') });
  await client.connect();
  await client.query(PATIENT_LINKS_DDL);
  await client.query(PATIENT_LINKS_DDL);
});
afterAll(() => client?.end());

const key = (c: string) => `pk_${c.repeat(26)}`;
const [R, H1, C2, H3, P, OTHER] = ['r', 'h', 'c', 'e', 'p', 'o'].map(key) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const positions = new Map<string, number>();
let global = 0;

function recorded(streamKey: string, event: PatientEvent): RecordedEvent {
  const stream = patientStream(streamKey);
  const at = positions.get(stream) ?? 0;
  positions.set(stream, at + 1);
  global++;
  return {
    id: `00000000-0000-8000-8000-${String(global).padStart(12, '0')}`,
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: {
      source: { institution: 'H001', messageId: `m${global}`, protocol: 'hl7v2' },
      patientKey: streamKey,
      correlationId: `c${global}`,
      occurredAt: new Date(Date.UTC(2026, 10, 23, 8, global)).toISOString(),
    },
    stream,
    streamPosition: BigInt(at),
    position: { commit: BigInt(global), prepare: BigInt(global) },
    recordedAt: new Date(Date.UTC(2026, 10, 23, 8, global)).toISOString(),
    hash: 'h',
    previousHash: null,
  };
}

const link = (member: string, patient: string, institution = 'H001') =>
  recorded(member, {
    type: 'PatientIdentifiersLinked',
    data: { memberKey: member, patientKey: patient, institution, reason: 'same-resident-id' },
  });
const merge = (merged: string, survivor: string) =>
  recorded(merged, {
    type: 'PatientsMerged',
    data: { mergedKey: merged, survivorKey: survivor, institution: 'H001' },
  });
const unmerge = (merged: string, survivor: string) =>
  recorded(merged, {
    type: 'PatientsUnmerged',
    data: { mergedKey: merged, survivorKey: survivor, institution: 'H001' },
  });
const unlink = (member: string, patient: string) =>
  recorded(member, {
    type: 'PatientIdentifiersUnlinked',
    data: { memberKey: member, patientKey: patient, institution: 'H001' },
  });

async function replay(events: readonly RecordedEvent[], times = 1): Promise<void> {
  await client.query('TRUNCATE rm_patient_links');
  for (const event of events) {
    for (let i = 0; i < times; i++) {
      if (patientLinksProjection.canHandle(event)) await patientLinksProjection.apply(client, event);
    }
  }
}

async function table(): Promise<unknown[]> {
  const { rows } = await client.query(
    'SELECT member_key, patient_key, via, linked_to, merged_into, since FROM rm_patient_links ORDER BY member_key',
  );
  return rows;
}

const sorted = (keys: string[]) => [...keys].sort();

const history = [link(H1, R), link(C2, R, 'C002'), link(H3, R), link(P, OTHER), merge(P, H1)];

it('one patient across institutions, a merged record through its survivor’s link', async () => {
  await replay(history);
  expect(await canonicalPatientKey(client, H1)).toBe(R);
  expect(await canonicalPatientKey(client, P)).toBe(R);
  expect(await canonicalPatientKey(client, R)).toBe(R);
  expect(await canonicalPatientKey(client, OTHER)).toBe(OTHER);
  const keys = await samePatientKeys(client, C2);
  expect(keys[0]).toBe(R);
  expect(sorted(keys)).toEqual(sorted([R, H1, C2, H3, P]));
  expect(await samePatientKeys(client, OTHER)).toEqual([OTHER]);
  expect(await samePatientKeys(client, key('z'))).toEqual([key('z')]);
});

it('replaying the same events, or each event twice, gives the same table', async () => {
  await replay(history);
  const first = await table();
  expect(first).toHaveLength(4);
  await replay(history);
  expect(await table()).toEqual(first);
  await replay(history, 2);
  expect(await table()).toEqual(first);
});

it('an unmerge separates the records again, and the link the merge overrode applies again', async () => {
  await replay([...history, unmerge(P, H1)]);
  expect(await canonicalPatientKey(client, P)).toBe(OTHER);
  expect(sorted(await samePatientKeys(client, R))).toEqual(sorted([R, H1, C2, H3]));
  expect(await table()).toContainEqual(
    expect.objectContaining({ member_key: P, patient_key: OTHER, via: 'same-resident-id' }),
  );
  await replay([...history, unmerge(P, H1), unlink(P, OTHER), unlink(H3, R)]);
  expect(await samePatientKeys(client, P)).toEqual([P]);
  expect(sorted(await samePatientKeys(client, R))).toEqual(sorted([R, H1, C2]));
  expect(await table()).toHaveLength(2);
});

it('an unlink under a merge keeps the merge', async () => {
  await replay([...history, unlink(P, OTHER)]);
  expect(await canonicalPatientKey(client, P)).toBe(R);
  expect(await table()).toContainEqual(
    expect.objectContaining({ member_key: P, linked_to: null, via: 'merge' }),
  );
});

it('a cycle (refused by the decider) cannot make a query loop', async () => {
  await replay([link(H1, C2), link(C2, H1)]);
  expect([H1, C2]).toContain(await canonicalPatientKey(client, H1));
  expect(sorted(await samePatientKeys(client, H1))).toEqual(sorted([H1, C2]));
});
