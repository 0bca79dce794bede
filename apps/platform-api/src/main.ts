import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { InstitutionDirectory, requireInt, requireSecret, requireString } from '@yilian/config';
import { createEventStore } from '@yilian/event-store';
import { PatientKeyer } from '@yilian/patients';
import {
  appMetricsRegistry,
  configureHttp,
  createLogger,
  HttpMetrics,
  startMetricsServer,
} from '@yilian/runtime';
import { consoleStatic } from './console/console-static';
import { PlatformApiModule } from './platform-api.module';

/** platform-api: the FHIR read side for the regional platform, auditors and the console. */
async function main(): Promise<void> {
  const env = process.env;
  const logger = createLogger('platform-api');
  const pool = new Pool({
    connectionString: requireString(env, 'READ_MODEL_DATABASE_URL'),
    max: requireInt(env, 'PLATFORM_POOL_SIZE', 10),
  });
  pool.on('error', (e) => logger.warn({ err: e.message }, 'idle database connection error'));
  const app = await NestFactory.create<NestExpressApplication>(
    PlatformApiModule.register({
      readModelPool: pool,
      platformClients: requireString(env, 'PLATFORM_CLIENTS'),
      patientKeyer: new PatientKeyer(requireSecret(env, 'PATIENT_KEY_SECRET')),
      // the console's sign-in for institutions' staff and auditors (optional)
      ...(env['PLATFORM_INSTITUTIONS_FILE']
        ? { institutions: InstitutionDirectory.fromFile(env['PLATFORM_INSTITUTIONS_FILE']) }
        : {}),
      ...(env['PLATFORM_AUDITORS'] ? { auditors: env['PLATFORM_AUDITORS'] } : {}),
      // SMART Backend Services tokens (POST /auth/token) accepted by every process sharing it
      ...(env['PLATFORM_TOKEN_SECRET']
        ? { accessTokenSecret: requireSecret(env, 'PLATFORM_TOKEN_SECRET') }
        : {}),
      // retrievals (调阅 serials) and the console's recognition decisions are events (optional)
      ...(env['EVENT_STORE_URL']
        ? {
            store: await createEventStore(env['EVENT_STORE_URL'], {
              poolSize: requireInt(env, 'PLATFORM_STORE_POOL_SIZE', 4),
            }),
          }
        : {}),
    }),
    { logger: false, bodyParser: false, abortOnError: false },
  );
  const registry = appMetricsRegistry('platform', [], { processMetrics: true });
  app.use(new HttpMetrics(registry, 'yilian_platform').middleware);
  const consoleFiles = consoleStatic();
  if (consoleFiles) app.use(consoleFiles);
  configureHttp(app);
  const port = requireInt(env, 'PLATFORM_HTTP_PORT', 8080, [0, 65535]);
  const host = requireString(env, 'PLATFORM_HOST', '0.0.0.0');
  await startMetricsServer(registry, requireInt(env, 'PLATFORM_METRICS_PORT', 9464, [0, 65535]), host);
  await app.listen(port, host);
  logger.info({ port }, 'platform-api listening');
}

main().catch((e: unknown) => {
  console.error(`platform-api failed to start: ${(e as Error).message}`);
  process.exit(1);
});
