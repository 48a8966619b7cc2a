import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { describeValidationErrors } from '@neck-signal/protocol';

/** HTTP bodies: 400 with one readable line naming every bad property. */
export function hubValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors)),
  });
}
