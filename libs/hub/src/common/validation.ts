import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { describeValidationErrors } from '@neck-signal/protocol';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, transform: true } as const;

/** HTTP bodies: 400 with one readable line naming every bad property. */
export function hubValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...OPTIONS,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors)),
  });
}

/** Socket.IO payloads: a WsException the gateway's filter turns into `error-message` INVALID_PAYLOAD. */
export function wsValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...OPTIONS,
    exceptionFactory: (errors) =>
      new WsException({ code: 'INVALID_PAYLOAD', message: describeValidationErrors(errors) || 'invalid payload' }),
  });
}
