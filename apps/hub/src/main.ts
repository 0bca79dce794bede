import 'reflect-metadata';
import { join, resolve } from 'node:path';
import {
  hashApiKey,
  InstitutionDirectory,
  type ReadClientCredential,
  requireInt,
  requireString,
} from '@yilian/config';
import { PatientKeyer } from '@yilian/patients';

import { createLogger, startEmbeddedPostgres } from '@yilian/runtime';
import { seedDemoOnce } from './demo/demo-seed';
import { demoCredentials, demoInstitutions, ensureDatabase, loadOrCreateSecrets } from './embedded';
import { startHub } from './hub';

/** `npm start`: the whole hub in one process on an embedded PostgreSQL under ./data. */
async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger('hub');
  const dataDir = resolve(requireString(env, 'HUB_DATA_DIR', 'data'));
  const host = requireString(env, 'HUB_HOST', '127.0.0.1');
  const httpPort = requireInt(env, 'HUB_HTTP_PORT', 8080, [0, 65535]);
  const mllpPort = requireInt(env, 'HUB_MLLP_PORT', 2575, [1, 65535]);
  const { secrets, firstStart } = loadOrCreateSecrets(dataDir, mllpPort);
  const demoWanted = !process.argv.includes('--no-demo') && env.HUB_DEMO !== 'off';

  const pg = await startEmbeddedPostgres({
    dir: join(dataDir, 'pg'),
    port: requireInt(env, 'HUB_PG_PORT', 54329, [1, 65535]),
    persistent: true,
  });
  // Over the Unix-domain socket: same machine, less kernel CPU per round trip than loopback TCP.
  const databaseUrl = await ensureDatabase(pg.socketUrl, 'yilian');
  const operator = secrets.allianceOperator!;
  const auditor = secrets.auditorClient!;
  process.env.YILIAN_ALLIANCE_OPERATORS ??= `${operator.name}:${hashApiKey(operator.apiKey)}`;
  const hub = await startHub({
    databaseUrl,
    institutions: new InstitutionDirectory(demoCredentials(secrets)),
    patientKeyer: new PatientKeyer(secrets.patientKeySecret),
    // JSON form: a `jwks` added to either entry of hub-secrets.json lets that client sign in the
    // SMART Backend Services way too (POST /auth/token, docs/access.md)
    platformClients: JSON.stringify([readClient(secrets.platformClient, 'platform')]),
    auditors: JSON.stringify([readClient(auditor, 'auditor')]),
    httpPort,
    host,
    logger,
    metricsPort: requireInt(env, 'HUB_METRICS_PORT', 9464, [0, 65535]),
  });
  const demo = secrets.demoInstitution;
  // A demo that fails to seed says why and leaves the hub running (the next start tries again).
  const seeded = demoWanted
    ? await seedDemoOnce({
        dataDir,
        httpUrl: hub.httpUrl,
        operatorKey: operator.apiKey,
        institutions: demoInstitutions(secrets),
        now: new Date(),
        firstStart,
      }).catch((e: unknown) => {
        logger.error({ err: (e as Error).message }, 'demo data could not be seeded');
        return undefined;
      })
    : undefined;
  console.log(
    [
      '',
      'Yilian hub is running (embedded mode: PostgreSQL under ' + join(dataDir, 'pg') + ', no Kafka)',
      `  intake FHIR     POST ${hub.httpUrl}/fhir            (transaction Bundle) and /fhir/DiagnosticReport`,
      `  intake HL7 v2   MLLP ${host}:${hub.mllpPorts.get(demo.code)}        (institution ${demo.code})`,
      `                  POST ${hub.httpUrl}/hl7v2           (application/hl7-v2, the institution's API key)`,
      `  platform FHIR   GET  ${hub.httpUrl}/fhir/DiagnosticReport?patient=Patient/<patient key>`,
      `  metrics         GET  ${hub.metricsUrl}      (Prometheus; /health beside it)`,
      hub.consoleUrl
        ? `  web console     ${hub.consoleUrl}     (sign in with one of the keys below)`
        : '  web console     not built (npm run build builds it into dist/console)',
      '',
      `  demo institution ${demo.code} (${demo.name})`,
      `    API key: ${demo.apiKey}      (Authorization: Bearer <key>)`,
      ...(secrets.demoMembers ?? []).flatMap((m) => [
        `  demo institution ${m.code} (${m.name}, ${m.level})`,
        `    API key: ${m.apiKey}`,
      ]),
      `  platform client ${secrets.platformClient.name}`,
      `    API key: ${secrets.platformClient.apiKey}`,
      `  alliance operator (POST /alliances, /alliances/<id>/members)`,
      `    API key: ${operator.apiKey}`,
      `  auditor (the console's audit page; GET /fhir/AuditEvent: who read what)`,
      `    API key: ${auditor.apiKey}`,
      `  (kept in ${join(dataDir, 'hub-secrets.json')})`,
      seeded
        ? `  DEMO DATA: alliance ${seeded.allianceId} (three institutions), results ${seeded.results.join(', ')}, referral ${seeded.referralId} accepted — invented, marked 演示数据 (start with --no-demo or HUB_DEMO=off to skip it on a new data dir)`
        : demoWanted
          ? '  no demo data (this data dir was not new)'
          : '  no demo data (--no-demo)',
      '',
    ].join('\n'),
  );
  const shutdown = async () => {
    await hub.stop();
    await pg.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error(`hub failed to start: ${(e as Error).message}`);
  process.exit(1);
});

function readClient(
  c: { name: string; apiKey: string; jwks?: ReadClientCredential['jwks'] },
  role: 'platform' | 'auditor',
): ReadClientCredential {
  return { name: c.name, apiKeySha256: hashApiKey(c.apiKey), role, ...(c.jwks ? { jwks: c.jwks } : {}) };
}
