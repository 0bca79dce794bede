import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Optional,
} from '@nestjs/common';
import type { Response } from 'express';
import { FhirHttpError, LOGGER, type Logger } from '@yilian/runtime';

/** CDS Hooks errors: the status with an OperationOutcome as JSON (CDS Hooks 2.0 "Returning
 * OperationOutcome"), its diagnostics the reason. Nothing internal and nothing about the patient
 * leaves; an unexpected failure is logged without the request. */
@Catch()
export class CdsErrorFilter implements ExceptionFilter {
  constructor(@Optional() @Inject(LOGGER) private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof FhirHttpError) {
      res.status(exception.status).type('application/json').send(JSON.stringify(exception.outcome));
      return;
    }
    let status = 500;
    let reason = 'internal error';
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      reason = exception.message;
    } else this.logger?.error({ err: (exception as Error)?.message }, 'cds-hooks: request failed');
    res
      .status(status)
      .type('application/json')
      .send(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'error',
              code: status === 404 ? 'not-found' : status >= 500 ? 'exception' : 'invalid',
              diagnostics: reason,
            },
          ],
        }),
      );
  }
}
