import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttp } from '@yilian/runtime';
import { MllpIntakeService } from './hl7/mllp-intake.service';
import { IntakeModule, type IntakeOptions } from './intake.module';
import { IntakeMetrics } from './metrics/intake-metrics';

export interface RunningIntake {
  readonly httpUrl: string;
  /** The MLLP port of each institution (by code). */
  readonly mllpPorts: ReadonlyMap<string, number>;
  readonly metrics: IntakeMetrics;
  stop(): Promise<void>;
}

/** The intake app as deployed: FHIR over HTTP on `httpPort` and one MLLP listener per
 * institution, appending to `options.store` (which the caller owns and closes). */
export async function startIntake(
  options: IntakeOptions & { readonly httpPort: number; readonly host: string },
): Promise<RunningIntake> {
  const metrics = options.metrics ?? new IntakeMetrics();
  const app = await NestFactory.create<NestExpressApplication>(
    IntakeModule.register({ ...options, metrics }),
    {
      logger: false,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.use(metrics.http);
  configureHttp(app);
  await app.listen(options.httpPort, options.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    httpUrl: `http://${options.host}:${address.port}`,
    mllpPorts: app.get(MllpIntakeService).ports,
    metrics,
    stop: () => app.close(),
  };
}
