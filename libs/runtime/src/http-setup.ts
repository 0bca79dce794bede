import type { NestExpressApplication } from '@nestjs/platform-express';
import { FhirExceptionFilter } from './http-errors';
import express, { type NextFunction, type Request, type Response } from 'express';

const FHIR_TYPES = ['application/json', 'application/fhir+json'];

/**
 * FHIR bodies arrive as application/fhir+json (or plain JSON); searches by POST as a form. A body that is not JSON, or is
 * larger than the limit, is answered here with an OperationOutcome (400 / 413) — the route
 * never sees it and nothing is appended.
 */
export function configureHttp(app: NestExpressApplication, bodyLimit = '10mb'): void {
  const parse = express.json({ type: FHIR_TYPES, limit: bodyLimit, strict: true });
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const parser = req.is('application/x-www-form-urlencoded') ? form : parse;
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { status?: number; type?: string; message?: string };
      const status = e.status === 413 ? 413 : 400;
      const diagnostics =
        status === 413
          ? `the body is larger than ${bodyLimit}`
          : `the body is not valid JSON: ${String(e.message ?? 'parse error').slice(0, 200)}`;
      res
        .status(status)
        .type('application/fhir+json')
        .send(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: status === 413 ? 'too-costly' : 'structure', diagnostics }],
          }),
        );
    });
  });
  // A path no route serves (e.g. GET /fhir/Medication) is answered as an OperationOutcome too.
  app.useGlobalFilters(new FhirExceptionFilter());
  app.enableShutdownHooks();
  app.disable('x-powered-by');
}
