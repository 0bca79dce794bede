import { ALL_PROJECTIONS, rebuildAndCompare } from '@yilian/projections';
import { LAB_REPORT_HISTORY } from '@yilian/results';
import { labReportBundle, oruR01, SAMPLE_RESIDENT_ID } from '@yilian/testing';
import { MllpClient } from '@yilian/hl7v2';
import { Pool } from 'pg';
import { eventually, postFhir, startTestHub } from './hub-harness';

describe('read models rebuild from the log to the same tables', () => {
  it('replays every event from position 0 into identical tables, and notices a tampered row', async () => {
    const hub = await startTestHub('rebuild');
    try {
      const mllp = await MllpClient.connect(hub.mllpPorts.get('H001')!);
      for (let i = 0; i < 5; i++) {
        await mllp.send(
          oruR01({ controlId: `RB-${i}`, accession: `RB-${i}`, residentId: SAMPLE_RESIDENT_ID }),
        );
      }
      await mllp.send(
        oruR01({
          controlId: 'RB-0-C',
          accession: 'RB-0',
          residentId: SAMPLE_RESIDENT_ID,
          status: 'C',
          potassium: 3.1,
        }),
      );
      await mllp.close();
      await postFhir(
        hub,
        '',
        labReportBundle({ accession: 'RB-F', mrn: { institution: 'H001', value: 'M-1' } }),
      );
      const pool = new Pool({ connectionString: hub.databaseUrl, max: 1 });
      await eventually(
        async () =>
          Number(
            (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${LAB_REPORT_HISTORY}`)).rows[0]!.n,
          ),
        (n) => n === 7,
      );
      const same = await rebuildAndCompare({
        store: hub.store,
        readModelUrl: hub.databaseUrl,
        projections: ALL_PROJECTIONS,
      });
      expect(same.events).toBeGreaterThanOrEqual(7);
      expect(same.tables.map((t) => t.table)).toEqual(
        expect.arrayContaining(['rm_lab_reports', 'rm_observations']),
      );
      expect(same.tables.filter((t) => !t.same)).toEqual([]);

      await pool.query(`UPDATE rm_observations SET status = 'amended' WHERE id = 'H001.RB-1.o1'`);
      const tampered = await rebuildAndCompare({
        store: hub.store,
        readModelUrl: hub.databaseUrl,
        projections: ALL_PROJECTIONS,
      });
      expect(tampered.identical).toBe(false);
      expect(tampered.tables.filter((t) => !t.same).map((t) => t.table)).toEqual(['rm_observations']);
      await pool.end();
    } finally {
      await hub.stop();
    }
  });
});
