import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import type { InstitutionDirectory } from '@yilian/config';
import { PostgresEventStore, verifyLog } from '@yilian/event-store';
import { IntakeMetrics, IntakeModule, MllpIntakeService, type MllpOptions } from '@yilian/intake';
import type { PatientKeyer } from '@yilian/patients';
import { consoleStatic, PlatformApiModule } from '@yilian/platform-api';
import { ALL_PROJECTIONS, InProcessProjector, ProjectionRunner } from '@yilian/projections';
import { ReferralExpiryScheduler, type ReferralExpiryOptions } from '@yilian/referrals';
import { RecognitionEligibility } from '@yilian/recognition';
import {
  configureHttp,
  type Logger,
  recordedTimeReading,
  type RunningMetricsServer,
  startMetricsServer,
} from '@yilian/runtime';

export interface HubOptions {
  readonly databaseUrl: string;
  readonly institutions: InstitutionDirectory;
  readonly patientKeyer: PatientKeyer;
  readonly platformClients: string;
  /** Auditors' keys (`name:sha256hex,…`): the console's audit page and the audit trail. */
  readonly auditors?: string;
  readonly httpPort: number;
  readonly host: string;
  readonly logger: Logger;
  readonly poolSize?: number;
  /** MLLP listener settings (tests: ephemeral ports, short idle timeout). */
  readonly mllp?: Omit<MllpOptions, 'host'>;
  /** Referral expiry: the scheduler's clock and interval (tests move the clock forward). */
  readonly referralExpiry?: ReferralExpiryOptions;
  /** Serve GET /metrics and /health on this port (0: any free one); none when undefined. */
  readonly metricsPort?: number;
}

export interface RunningHub {
  readonly httpUrl: string;
  readonly mllpPorts: ReadonlyMap<string, number>;
  readonly store: PostgresEventStore;
  readonly projector: InProcessProjector;
  readonly metrics: IntakeMetrics;
  /** Where GET /metrics is served, when `metricsPort` was given. */
  readonly metricsUrl?: string;
  /** Where the web console is served, when its bundle was built (npm run build). */
  readonly consoleUrl?: string;
  stop(): Promise<void>;
}

/** Everything in one process: intake, the store's own subscription feeding the projections in
 * place of Kafka, and platform-api — on one PostgreSQL database. */
export async function startHub(o: HubOptions): Promise<RunningHub> {
  const store = new PostgresEventStore({ connectionString: o.databaseUrl, poolSize: o.poolSize ?? 16 });
  await store.migrate();
  const readPool = new Pool({ connectionString: o.databaseUrl, max: 8 });
  // an idle connection's error (PostgreSQL restarting) must not take the process down; the
  // next query on it fails and is answered as an error
  readPool.on('error', (e) => o.logger.warn({ err: e.message }, 'read-model pool: idle connection error'));
  const runner = new ProjectionRunner(readPool, ALL_PROJECTIONS);
  await runner.migrate();
  const projector = new InProcessProjector(store, runner, 'hub-projector');
  await projector.start();
  void projector.done?.catch((e: unknown) =>
    o.logger.error(
      { err: (e as Error).message },
      'projector stopped: a projection failed; read models are behind',
    ),
  );

  const metrics = new IntakeMetrics({
    processMetrics: o.metricsPort !== undefined,
    readings: [
      {
        name: 'yilian_hub_projector_applied_total',
        help: 'Projection applications by the in-process projector since start',
        type: 'counter',
        read: () => projector.applied,
      },
      recordedTimeReading(
        'yilian_hub_projector_last_applied_recorded_seconds',
        'When the latest event the in-process projector applied was recorded (Unix seconds)',
        () => projector.lastRecordedAt,
      ),
    ],
  });
  @Module({
    imports: [
      IntakeModule.register({
        metrics,
        store,
        institutions: o.institutions,
        patientKeyer: o.patientKeyer,
        mllp: { host: o.host, ...o.mllp },
        logger: o.logger,
        recognition: new RecognitionEligibility(readPool),
        readModels: readPool,
      }),
      PlatformApiModule.register({
        readModelPool: readPool,
        platformClients: o.platformClients,
        patientKeyer: o.patientKeyer,
        institutions: o.institutions,
        ...(o.auditors ? { auditors: o.auditors } : {}),
        verifyChain: () => verifyLog(store),
        store,
      }),
    ],
  })
  class HubModule {}

  const app: INestApplication = await NestFactory.create<NestExpressApplication>(HubModule, {
    logger: false,
    bodyParser: false,
    abortOnError: false,
  });
  (app as NestExpressApplication).use(metrics.http);
  const consoleFiles = consoleStatic();
  if (consoleFiles) (app as NestExpressApplication).use(consoleFiles);
  configureHttp(app as NestExpressApplication);
  await app.listen(o.httpPort, o.host);
  const metricsServer: RunningMetricsServer | undefined =
    o.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics.registry, o.metricsPort, o.host);
  const address = app.getHttpServer().address() as { port: number };
  const mllp = app.get(MllpIntakeService);
  const onExpiryError = (referralId: string, e: unknown) =>
    o.logger.warn({ referralId, err: (e as Error).message }, 'referral expiry failed');
  const expiry = new ReferralExpiryScheduler(store, readPool, {
    onError: onExpiryError,
    ...o.referralExpiry,
  });
  expiry.start();
  return {
    httpUrl: `http://${o.host}:${address.port}`,
    mllpPorts: mllp.ports,
    store,
    projector,
    metrics,
    ...(consoleFiles ? { consoleUrl: `http://${o.host}:${address.port}/console/` } : {}),
    ...(metricsServer ? { metricsUrl: `http://${o.host}:${metricsServer.port}/metrics` } : {}),
    stop: async () => {
      await expiry.stop();
      await metricsServer?.close();
      await app.close();
      await projector.stop();
      await Promise.all([store.close(), readPool.end()]);
    },
  };
}
