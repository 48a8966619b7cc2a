import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseWsExceptionFilter, WsException } from '@nestjs/websockets';
import { Events, HUB_ERROR_CODES, HubErrorCode } from '@neck-signal/protocol';
import { errorMessage } from './error-message';
import { HubSocket } from './hub-socket';

/** Turns any error in a message handler into `error-message {code, message, id?}` to the sender. */
@Catch()
export class WsErrorFilter extends BaseWsExceptionFilter {
  private readonly logger = new Logger(WsErrorFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const { code, message } = this.describe(exception);
    ws.getClient<HubSocket>().emit(Events.ErrorMessage, errorMessage(code, message, ws.getPattern(), ws.getData()));
  }

  private describe(exception: unknown): { code: HubErrorCode; message: string } {
    if (exception instanceof WsException) {
      const error = exception.getError();
      if (typeof error === 'string') return { code: 'INVALID_PAYLOAD', message: error };
      if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
        const code = isHubErrorCode(error.code) ? error.code : 'INVALID_PAYLOAD';
        return { code, message: String(error.message) };
      }
    }
    this.logger.error(`message handler failed: ${exception instanceof Error ? exception.stack : String(exception)}`);
    return { code: 'INTERNAL_ERROR', message: 'the hub could not handle that message' };
  }
}

function isHubErrorCode(value: unknown): value is HubErrorCode {
  return (HUB_ERROR_CODES as readonly unknown[]).includes(value);
}

/** A WsException carrying an error-message payload. */
export function hubError(code: HubErrorCode, message: string): WsException {
  return new WsException({ code, message });
}
