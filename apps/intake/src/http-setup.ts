import type { NestExpressApplication } from '@nestjs/platform-express';

/** FHIR bodies arrive as application/fhir+json (and plain JSON). A body above the limit gets
 * 413 with an OperationOutcome, never a crash. */
export function configureHttp(app: NestExpressApplication, bodyLimit = '10mb'): void {
  app.useBodyParser('json', { type: ['application/json', 'application/fhir+json'], limit: bodyLimit });
  app.enableShutdownHooks();
  app.set('trust proxy', false);
  app.disable('x-powered-by');
}
