import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { FhirHttpError } from '@yilian/runtime';

/** The JSON routes' errors as `{statusCode, message, field?}`: the field names what was wrong
 * (`asOf`, `identifier.value`, `requester`), as the console shows it. */
@Catch()
export class RecognitionJsonErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof FhirHttpError) {
      const issue = exception.outcome.issue[0];
      res.status(exception.status).json({
        statusCode: exception.status,
        message: exception.message,
        ...(issue?.code ? { code: issue.code } : {}),
        ...(issue?.expression?.[0] ? { field: issue.expression[0] } : {}),
      });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      res
        .status(exception.getStatus())
        .json(typeof body === 'object' ? body : { statusCode: exception.getStatus(), message: body });
      return;
    }
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}
