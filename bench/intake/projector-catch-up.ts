/**
 * After the intake runs (intake topology): how fast the read models catch up with what intake
 * recorded. Starts the in-process projector (every projection, batches of 200 events per
 * transaction — the embedded hub's projector) on the same database, with the intake stopped,
 * and times it over the backlog for at most `maxSeconds`.
 */
import { Pool } from 'pg';
import type { EventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, InProcessProjector, ProjectionRunner } from '@yilian/projections';

export interface CatchUp {
  readonly backlog: number;
  /** Events applied (not projection applications). */
  readonly applied: number;
  readonly seconds: number;
  readonly caughtUp: boolean;
}

export async function measureProjectorCatchUp(
  store: EventStore,
  databaseUrl: string,
  backlog: number,
  maxSeconds: number,
): Promise<CatchUp> {
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  await runner.migrate();
  const projector = new InProcessProjector(store, runner, 'bench-catch-up');
  const started = performance.now();
  let caughtUp = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const limit = setTimeout(resolve, maxSeconds * 1000);
      void projector
        .start(() => {
          caughtUp = true;
          clearTimeout(limit);
          resolve();
        })
        .then(() => projector.done?.catch(reject), reject);
    });
    return { backlog, applied: projector.events, seconds: (performance.now() - started) / 1000, caughtUp };
  } finally {
    await projector.stop();
    await pool.end();
  }
}
