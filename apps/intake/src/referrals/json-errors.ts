import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Optional,
} from '@nestjs/common';
import type { Response } from 'express';
import { AllianceRejection } from '@yilian/alliance';
import { ReferralRejection, rejectionToOperationOutcome } from '@yilian/referrals';
import { FhirHttpError, LOGGER, type Logger } from '@yilian/runtime';

/** An error answered as JSON `{statusCode, error, message}` on the console's routes. */
export class JsonHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

const ALLIANCE_STATUS: Readonly<Record<AllianceRejection['code'], number>> = {
  'not-found': 404,
  'already-exists': 409,
  'already-member': 409,
  'not-member': 404,
  'lead-exists': 409,
  'lead-cannot-leave': 409,
  validation: 422,
};

export { jsonValidation } from '@yilian/runtime';

/** Every error on the JSON routes as `{statusCode, error, code?, message}`; nothing internal leaks. */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  constructor(@Optional() @Inject(LOGGER) private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const send = (status: number, message: string, code?: string, extra: object = {}) =>
      res.status(status).json({
        statusCode: status,
        error: ERROR_NAMES[status] ?? 'Error',
        ...(code ? { code } : {}),
        message,
        ...extra,
      });
    if (exception instanceof JsonHttpError)
      return void send(exception.status, exception.message, exception.code);
    if (exception instanceof ReferralRejection)
      return void send(rejectionToOperationOutcome(exception).httpStatus, exception.message, exception.code);
    if (exception instanceof AllianceRejection)
      return void send(ALLIANCE_STATUS[exception.code], exception.message, exception.code);
    if (exception instanceof FhirHttpError) return void send(exception.status, exception.message);
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      if (typeof body === 'object') return void res.status(exception.getStatus()).json(body);
      return void send(exception.getStatus(), body);
    }
    if (exception instanceof Error && exception.name === 'WrongExpectedRevisionError')
      return void send(409, 'the referral changed meanwhile; send the action again');
    this.logger?.error(
      { err: exception instanceof Error ? exception.message : String(exception) },
      'unhandled error',
    );
    send(500, 'internal error; nothing was recorded');
  }
}
