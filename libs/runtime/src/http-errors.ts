import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Optional,
} from '@nestjs/common';
import type { Response } from 'express';
import type { fhir4 } from '@yilian/contracts';
import type { Logger } from './logger';
import { LOGGER } from './tokens';

/** An error to answer with a FHIR OperationOutcome and an HTTP status. */
export class FhirHttpError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: fhir4.OperationOutcome,
  ) {
    super(outcome.issue.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirHttpError';
  }

  static of(
    status: number,
    code: fhir4.OperationOutcomeIssue['code'],
    diagnostics: string,
    path?: string,
  ): FhirHttpError {
    return new FhirHttpError(status, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code, diagnostics, ...(path ? { expression: [path] } : {}) }],
    });
  }
}

/** Every error on a FHIR route leaves as an OperationOutcome; nothing internal leaks. */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  constructor(@Optional() @Inject(LOGGER) private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let outcome: fhir4.OperationOutcome;
    if (exception instanceof FhirHttpError) {
      status = exception.status;
      outcome = exception.outcome;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      outcome = {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code:
              status === 401 || status === 403
                ? 'security'
                : status === 404
                  ? 'not-found'
                  : status === 413
                    ? 'too-costly'
                    : 'invalid',
            diagnostics: Array.isArray(message)
              ? message.map(String).join('; ')
              : typeof message === 'string'
                ? message
                : exception.message,
          },
        ],
      };
    } else {
      this.logger?.error(
        { err: exception instanceof Error ? exception.message : String(exception) },
        'unhandled error',
      );
      outcome = {
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'fatal',
            code: 'exception',
            diagnostics: 'internal error; the request was not applied',
          },
        ],
      };
    }
    res.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
  }
}
