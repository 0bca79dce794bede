/* applyBatch (projection by projection, lab reports through applyMany) leaves exactly the
 * tables that `apply`, one event at a time, leaves — including a report corrected within the
 * same batch, and a redelivered batch. */
import { type fhir4, LAB_REPORT_RECORDED, type RecordedEvent } from '@yilian/contracts';
import { createTestDatabase, labTables as tables } from '@yilian/testing';
import { Pool } from 'pg';
import { ALL_PROJECTIONS } from './registry';
import { ProjectionRunner } from './projection-runner';

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
    expect(expected.rm_lab_report_versions).toHaveLength(4);

    // delivered again (a replay, Kafka at least once): skipped, tables unchanged
    const again = await batch.runner.applyBatch(events, { consumer: 'test' });
    expect(again.applied).toEqual([]);
    expect(await tables(batch.pool)).toEqual(expected);
  });
});
