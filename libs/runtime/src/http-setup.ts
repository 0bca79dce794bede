import type { NestExpressApplication } from '@nestjs/platform-express';
import { patientKeysFromFhir, patientKeysToFhir } from '@yilian/contracts';
import { FhirExceptionFilter } from './http-errors';
import express, { type NextFunction, type Request, type Response } from 'express';

const FHIR_TYPES = ['application/json', 'application/fhir+json'];

/**
 * FHIR bodies arrive as application/fhir+json (or plain JSON); searches by POST as a form. A body that is not JSON, or is
 * larger than the limit, is answered here with an OperationOutcome (400 / 413) — the route
 * never sees it and nothing is appended.
 */
export function configureHttp(app: NestExpressApplication, bodyLimit = '10mb'): void {
  const parse = express.json({ type: FHIR_TYPES, limit: bodyLimit, strict: true, reviver: fromFhirIds });
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  app.use(fhirPatientIds);
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

/** A JSON body's strings with each FHIR Patient id (`pk-…`) back to the hub's key (`pk_…`). */
function fromFhirIds(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? patientKeysFromFhir(value) : value;
}

/**
 * Patient keys at the FHIR boundary (contracts `fhir-patient-id.ts`): a key `pk_…` is no FHIR id,
 * so every `application/fhir+json` answer and its `Location` / `Content-Location` carry the
 * FHIR form `pk-…`, and a request may name a patient either way (its URL here, its JSON body in
 * the parser's reviver): the routes only ever see the key.
 */
function fhirPatientIds(req: Request, res: Response, next: NextFunction): void {
  req.url = patientKeysFromFhir(req.url);
  const send = res.send.bind(res);
  res.send = (body?: unknown) =>
    send(
      typeof body === 'string' && /fhir\+json/.test(String(res.get('content-type')))
        ? patientKeysToFhir(body)
        : body,
    );
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    setHeader(
      name,
      typeof value === 'string' && /^(content-)?location$/i.test(name) ? patientKeysToFhir(value) : value,
    );
  next();
}
