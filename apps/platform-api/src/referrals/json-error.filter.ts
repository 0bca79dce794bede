import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { FhirHttpError } from '@yilian/runtime';

/** Query DTOs: unknown parameters refused, values converted; 400 names each parameter. */
export { jsonValidation as queryValidation } from '@yilian/runtime';

/** The board's and the indicators' errors as JSON `{statusCode, error, message}`. */
@Catch()
export class PlatformJsonErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      res
        .status(exception.getStatus())
        .json(typeof body === 'object' ? body : { statusCode: exception.getStatus(), message: body });
      return;
    }
    if (exception instanceof FhirHttpError) {
      res.status(exception.status).json({ statusCode: exception.status, message: exception.message });
      return;
    }
    res.status(500).json({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  }
}
