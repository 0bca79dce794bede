import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Bodies and queries of the JSON (non-FHIR) routes are checked by their class-validator DTO;
 * unknown fields are refused (an `actor` or `receiver` in a body is never read: they come from
 * the credential). 400 names each field at fault. */
export const jsonValidation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) =>
    new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '),
      fields: errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })),
    }),
});
