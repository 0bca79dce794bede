import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  ValidationPipe,
} from '@nestjs/common';
import type { Response } from 'express';
import { FhirHttpError } from '@yilian/runtime';

/** Query DTOs: unknown parameters refused, values converted; 400 names each parameter. */
export const queryValidation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '),
      fields: errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })),
    }),
});

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
