/* applyBatch (projection by projection, through each projection's applyMany) leaves exactly
 * the tables that `apply`, one event at a time, leaves — including a report corrected within
 * the same batch, imaging studies with a later version in the batch, runs of patient links
 * broken by merges and unlinks, and a redelivered batch. */
import {
  type fhir4,
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  LAB_REPORT_RECORDED,
  type RecordedEvent,
} from '@yilian/contracts';
import { LAB_REPORT_HISTORY } from '@yilian/results';
import { createTestDatabase, labTables as tables } from '@yilian/testing';
import { Pool } from 'pg';
import { ALL_PROJECTIONS } from './registry';
import { laneConsumer, ProjectionRunner, projectionLanes, streamLane } from './projection-runner';

let sequence = 0n;
function labEvent(accession: string, version: number, potassium: number, status = 'final'): RecordedEvent {
  const id = `H001.${accession}`;
  const observation = (n: number, value: number): fhir4.Observation => ({
    resourceType: 'Observation',
    id: `${id}.o${n}`,
    status: status as fhir4.Observation['status'],
    code: { coding: [{ system: 'http://loinc.org', code: n === 1 ? '2823-3' : '2951-2' }] },
    subject: { reference: 'Patient/pk_1' },
    effectiveDateTime: '2026-11-23T08:30:00+08:00',
    valueQuantity: { value, unit: 'mmol/L' },
  });
  // a correction may drop an observation: the current rows must follow the latest version
  const observations =
    version === 1 ? [observation(1, potassium), observation(2, 140)] : [observation(1, potassium)];
  sequence++;
  return {
    id: `00000000-0000-8000-8000-${sequence.toString().padStart(12, '0')}`,
    type: LAB_REPORT_RECORDED,
    schemaVersion: 1,
    stream: `labreport-H001-${accession}`,
    streamPosition: BigInt(version - 1),
    position: { commit: sequence, prepare: sequence },
    recordedAt: new Date(Date.UTC(2026, 10, 23, 1, 0, Number(sequence))).toISOString(),
    hash: 'h',
    previousHash: null,
    data: {
      performer: 'H001',
      accession,
      report: {
        resourceType: 'DiagnosticReport',
        id,
        status: status as fhir4.DiagnosticReport['status'],
        code: { coding: [{ system: 'urn:local', code: 'BIOCHEM' }] },
        subject: { reference: 'Patient/pk_1' },
        issued: '2026-11-23T09:00:00+08:00',
        result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
      },
      observations,
    },
    metadata: {
      source: { institution: 'H001', messageId: `m${sequence}`, protocol: 'hl7v2' },
      correlationId: 'c',
      patientKey: 'pk_1',
      occurredAt: '2026-11-23T01:00:00.000Z',
    },
  };
}

const recorded = (
  stream: string,
  streamPosition: number,
  type: string,
  data: unknown,
  patientKey?: string,
) => {
  sequence++;
  return {
    id: `00000000-0000-8000-8000-${sequence.toString().padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    stream,
    streamPosition: BigInt(streamPosition),
    position: { commit: sequence, prepare: sequence },
    recordedAt: new Date(Date.UTC(2026, 10, 23, 1, 0, Number(sequence))).toISOString(),
    hash: 'h',
    previousHash: null,
    data,
    metadata: {
      source: { institution: 'H001', messageId: `m${sequence}`, protocol: 'hl7v2' as const },
      correlationId: 'c',
      ...(patientKey ? { patientKey } : {}),
      occurredAt: new Date(Date.UTC(2026, 10, 23, 0, 0, Number(sequence))).toISOString(),
    },
  } as RecordedEvent;
};

const key = (c: string) => `pk_${c.repeat(26)}`;

function studyEvent(accession: string, position: number, status: string, modality: string): RecordedEvent {
  const study: fhir4.ImagingStudy = {
    resourceType: 'ImagingStudy',
    id: `H001.${accession}`,
    status: status as fhir4.ImagingStudy['status'],
    subject: { reference: `Patient/${key('a')}` },
    started: `2026-11-2${position}T08:00:00+08:00`,
    modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: modality }],
  };
  return recorded(
    `imagingstudy-H001-${accession}`,
    position,
    IMAGING_STUDY_RECORDED,
    {
      study,
      performer: 'H001',
      accession,
      studyInstanceUid: `1.2.3.${accession.length}`,
      modalities: [modality],
    },
    key('a'),
  );
}

function imagingReportEvent(accession: string, position: number): RecordedEvent {
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: `H001.${accession}.report`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '18748-4' }] },
    subject: { reference: `Patient/${key('a')}` },
    issued: '2026-11-23T10:00:00+08:00',
    conclusion: '未见异常',
  };
  return recorded(
    `imagingstudy-H001-${accession}`,
    position,
    IMAGING_REPORT_RECORDED,
    { report, performer: 'H001', reporter: 'H001', accession, performerBasis: 'sender' },
    key('a'),
  );
}

const patientEvent = (member: string, position: number, type: string, data: object) =>
  recorded(`patient-${key(member)}`, position, type, { institution: 'H001', ...data }, key(member));

/** Every table of the database but the consumer's checkpoints, row by row in a stable order. */
async function allTables(pool: Pool): Promise<Record<string, unknown[]>> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'rm_checkpoints' ORDER BY 1`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { table_name: t } of rows)
    out[t] = (await pool.query(`SELECT * FROM ${t} ORDER BY ${t}::text`)).rows;
  return out;
}

describe('ProjectionRunner.applyBatch', () => {
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });
  const runnerOn = async (label: string) => {
    const pool = new Pool({ connectionString: await createTestDatabase(label), max: 2 });
    pools.push(pool);
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    return { pool, runner };
  };

  it('gives the same tables as applying the events one by one', async () => {
    const events = [
      labEvent('A1', 1, 3.1),
      labEvent('B1', 1, 4.0),
      labEvent('A1', 2, 3.3, 'corrected'), // A1 corrected in the same batch
      labEvent('C1', 1, 5.0),
    ];
    const one = await runnerOn('runner_one_by_one');
    for (const e of events) await one.runner.apply(e);
    const batch = await runnerOn('runner_batch');
    const outcome = await batch.runner.applyBatch(events, { consumer: 'test' });
    expect(outcome.applied.filter((n) => n === 'lab-reports')).toHaveLength(4);

    const expected = await tables(one.pool);
    expect(await tables(batch.pool)).toEqual(expected);
    // the correction is current, its dropped observation gone, both versions kept
    const a1 = expected.rm_lab_reports!.find((r) => (r as { id: string }).id === 'H001.A1') as {
      version: number;
      status: string;
    };
    expect(a1).toMatchObject({ version: 2, status: 'corrected' });
    expect(expected.rm_observations!.map((r) => (r as { id: string }).id)).toEqual([
      'H001.A1.o1',
      'H001.B1.o1',
      'H001.B1.o2',
      'H001.C1.o1',
      'H001.C1.o2',
    ]);
    // A1's first version superseded and kept; every version readable as history
    expect(expected.rm_lab_report_versions).toMatchObject([{ id: 'H001.A1', version: 1 }]);
    const history = await batch.pool.query<{ id: string; version: number; n: number }>(
      `SELECT id, version, jsonb_array_length(observations) AS n FROM ${LAB_REPORT_HISTORY} ORDER BY id, version`,
    );
    expect(history.rows.map((r) => `${r.id}@${r.version}:${r.n}`)).toEqual([
      'H001.A1@1:2',
      'H001.A1@2:1',
      'H001.B1@1:2',
      'H001.C1@1:2',
    ]);

    // delivered again (a replay, Kafka at least once): skipped, tables unchanged
    const again = await batch.runner.applyBatch(events, { consumer: 'test' });
    expect(again.applied).toEqual([]);
    expect(await tables(batch.pool)).toEqual(expected);
  });

  it('imaging studies and patient links: the batched paths give the tables of one by one', async () => {
    const events = [
      studyEvent('S1', 0, 'registered', 'CT'),
      patientEvent('b', 0, 'PatientIdentifiersLinked', {
        memberKey: key('b'),
        patientKey: key('p'),
        reason: 'same-resident-id',
      }),
      patientEvent('c', 0, 'PatientIdentifiersLinked', {
        memberKey: key('c'),
        patientKey: key('p'),
        reason: 'same-resident-id',
      }),
      patientEvent('c', 1, 'PatientIdentifiersLinked', {
        memberKey: key('c'),
        patientKey: key('s'),
        reason: 'patient-link',
      }), // the same member twice in a run of links: the later wins
      studyEvent('S2', 0, 'available', 'MR'),
      studyEvent('S1', 1, 'available', 'CT'), // a later version in the same batch
      imagingReportEvent('S1', 2),
      patientEvent('b', 1, 'PatientsMerged', { mergedKey: key('b'), survivorKey: key('q') }),
      patientEvent('d', 0, 'PatientIdentifiersLinked', {
        memberKey: key('d'),
        patientKey: key('p'),
        reason: 'same-resident-id',
      }),
      // second batch from here
      patientEvent('b', 2, 'PatientIdentifiersLinked', {
        memberKey: key('b'),
        patientKey: key('r'),
        reason: 'patient-link',
      }),
      patientEvent('b', 3, 'PatientsUnmerged', { mergedKey: key('b'), survivorKey: key('q') }),
      patientEvent('d', 1, 'PatientIdentifiersUnlinked', { memberKey: key('d'), patientKey: key('p') }),
      patientEvent('d', 2, 'PatientIdentifiersLinked', {
        memberKey: key('d'),
        patientKey: key('q'),
        reason: 'patient-link',
      }),
      studyEvent('S2', 1, 'cancelled', 'MR'),
    ];
    const one = await runnerOn('runner_one_by_one_imaging_links');
    for (const e of events) await one.runner.apply(e);
    const batch = await runnerOn('runner_batch_imaging_links');
    await batch.runner.applyBatch(events.slice(0, 9), { consumer: 'test' });
    await batch.runner.applyBatch(events.slice(9), { consumer: 'test' });

    const expected = await allTables(one.pool);
    expect(await allTables(batch.pool)).toEqual(expected);
    expect(expected.rm_imaging_study_versions!.map((r) => (r as { version: number }).version).sort()).toEqual(
      [1, 1, 2, 2],
    );
    expect(
      Object.fromEntries(
        (expected.rm_patient_links as { member_key: string; patient_key: string }[]).map((r) => [
          r.member_key.slice(3, 4),
          r.patient_key.slice(3, 4),
        ]),
      ),
    ).toEqual({ b: 'r', c: 's', d: 'q' });

    const again = await batch.runner.applyBatch(events, { consumer: 'test' });
    expect(again.applied).toEqual([]);
    expect(await allTables(batch.pool)).toEqual(expected);
  });
});

describe('ProjectionRunner lanes', () => {
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('splits the projections into lanes of about equal weight, the same way every time', () => {
    const lanes = projectionLanes(ALL_PROJECTIONS, 2);
    expect(lanes).toHaveLength(2);
    // lab reports (partitioned) in both, each other projection in one
    for (const lane of lanes) expect(lane.map((p) => p.name)).toContain('lab-reports');
    const others = (names: string[]) => names.filter((n) => n !== 'lab-reports').sort();
    expect(others(lanes.flat().map((p) => p.name))).toEqual(others(ALL_PROJECTIONS.map((p) => p.name)));
    // the streams shared out: every stream in one lane, both lanes used
    const counts = [0, 0];
    for (let n = 0; n < 1000; n++) counts[streamLane(`labreport-H001-A${n}`, 2)]!++;
    expect(counts[0]! + counts[1]!).toBe(1000);
    expect(Math.min(...counts)).toBeGreaterThan(400);
    expect(projectionLanes(ALL_PROJECTIONS, 2)).toEqual(lanes);
    expect(projectionLanes(ALL_PROJECTIONS, 1)).toEqual([ALL_PROJECTIONS]);
    expect(laneConsumer('c', 0)).toBe('c');
    expect(laneConsumer('c', 1)).toBe('c#lane1');
  });

  it('gives the tables of one lane; a lane that fails fails the batch, and the batch again applies only what is missing', async () => {
    const events = [labEvent('L1', 1, 3.1), labEvent('L2', 1, 4.0), labEvent('L1', 2, 3.3, 'corrected')];
    const onePool = new Pool({ connectionString: await createTestDatabase('runner_lanes_one'), max: 2 });
    const twoPool = new Pool({ connectionString: await createTestDatabase('runner_lanes_two'), max: 2 });
    pools.push(onePool, twoPool);
    const one = new ProjectionRunner(onePool, ALL_PROJECTIONS, { lanes: 1 });
    await one.migrate();
    await one.applyBatch(events, { consumer: 'p' });

    // the recognition lane fails once (as a connection cut would): lab-reports commits alone
    let failures = 1;
    const flaky = ALL_PROJECTIONS.map((p) =>
      p.name === 'recognition'
        ? {
            ...p,
            applyMany: async (
              sql: Parameters<NonNullable<typeof p.applyMany>>[0],
              es: readonly RecordedEvent[],
            ) => {
              if (failures-- > 0) throw new Error('recognition lane down');
              await p.applyMany!(sql, es);
            },
          }
        : p,
    );
    const two = new ProjectionRunner(twoPool, flaky, { lanes: 2 });
    await two.migrate();
    await expect(two.applyBatch(events, { consumer: 'p' })).rejects.toThrow('recognition lane down');
    // one lane is at the batch's end, the other nowhere: go on from the start
    expect(await two.checkpoint('p')).toBeUndefined();
    const again = await two.applyBatch(events, { consumer: 'p' });
    // lab reports of the failed lane's streams come again, the other lane's are skipped
    const failedLane = projectionLanes(flaky, 2).findIndex((l) => l.some((p) => p.name === 'recognition'));
    expect(again.applied.filter((n) => n === 'lab-reports')).toHaveLength(
      events.filter((e) => streamLane(e.stream, 2) === failedLane).length,
    );
    expect(again.skipped.filter((n) => n === 'lab-reports')).toHaveLength(
      events.filter((e) => streamLane(e.stream, 2) !== failedLane).length,
    );
    expect(again.applied.filter((n) => n === 'recognition')).toHaveLength(3);
    expect(await tables(twoPool)).toEqual(await tables(onePool));
    expect(await allTables(twoPool)).toEqual(await allTables(onePool));
    expect(await two.checkpoint('p')).toEqual(events[2]!.position);
    // one lane behind the other: the checkpoint is the one behind
    await twoPool.query(`UPDATE rm_checkpoints SET position = '1/1' WHERE consumer = 'p#lane1'`);
    expect(await two.checkpoint('p')).toEqual({ commit: 1n, prepare: 1n });
  });

  it('goes on where a single-lane runner left off: a lane without a row is where lane 0 is', async () => {
    const pool = new Pool({ connectionString: await createTestDatabase('runner_lanes_upgrade'), max: 2 });
    pools.push(pool);
    const events = [labEvent('U1', 1, 3.1), labEvent('U2', 1, 4.0)];
    const before = new ProjectionRunner(pool, ALL_PROJECTIONS, { lanes: 1 });
    await before.migrate();
    await before.applyBatch(events, { consumer: 'q' });
    const after = new ProjectionRunner(pool, ALL_PROJECTIONS, { lanes: 2 });
    expect(await after.checkpoint('q')).toEqual(events[1]!.position);
    const more = [labEvent('U3', 1, 5.0)];
    await after.applyBatch(more, { consumer: 'q' });
    expect(await after.checkpoint('q')).toEqual(more[0]!.position);
  });
});
