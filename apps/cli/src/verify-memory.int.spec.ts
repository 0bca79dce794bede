import { PostgresEventStore, type StoreVerification } from '@yilian/event-store';
import { createTestDatabase } from '@yilian/testing';
import { generateLog } from './testing/generate-log';
import { runCli } from './testing/cli-harness';

type Report = StoreVerification & { maxRssMb: number };

async function verify(url: string): Promise<{ report: Report; seconds: number }> {
  const started = Date.now();
  // a 96 MB heap: the log held in memory (what verify:chain does) needs more at 200,000 events
  // and dies; without a cap V8 grows the heap with garbage it has not collected yet
  const run = await runCli(['verify', '--store', url, '--json'], { NODE_OPTIONS: '--max-old-space-size=96' });
  expect(run.stderr).not.toMatch(/heap out of memory/);
  expect(run.code).toBe(0);
  return { report: JSON.parse(run.stdout) as Report, seconds: (Date.now() - started) / 1000 };
}

it('verify streams the log: 200,000 events in a 96 MB heap, resident memory as at 20,000', async () => {
  const url = await createTestDatabase('cli_memory');
  const store = new PostgresEventStore({ connectionString: url, poolSize: 1 });
  await store.migrate();
  await store.close();

  await generateLog(url, 0, 20_000);
  const small = await verify(url);
  expect(small.report).toMatchObject({ events: 20_000, streams: 20_000, breakCount: 0 });

  await generateLog(url, 20_000, 180_000);
  const big = await verify(url);
  expect(big.report).toMatchObject({ events: 200_000, streams: 200_000, breakCount: 0 });

  console.log(
    `verify: 200,000 events (${Math.round(200_000 / big.seconds)} ev/s with the CLI's start), max RSS ${small.report.maxRssMb} MB at 20,000 events, ${big.report.maxRssMb} MB at 200,000`,
  );
  // ten times the events, the same memory
  expect(big.report.maxRssMb).toBeLessThan(small.report.maxRssMb + 30);
}, 300_000);
