import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, UseFilters, UsePipes } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HubPaths, LoginRequestDto, LoginResponseDto } from '@neck-signal/protocol';
import { hubValidationPipe } from '../common/validation';
import { AuthService } from './auth.service';
import { RetryAfterFilter } from './retry-after.filter';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /**
   * Trades the shared password (or a device key) for a token: 200 {token, uuid, expiresIn, deviceKey?}, 400
   * malformed, 401 wrong, 429 throttled (with Retry-After).
   */
  @Post(HubPaths.Login)
  @HttpCode(HttpStatus.OK)
  @UsePipes(hubValidationPipe())
  @UseFilters(RetryAfterFilter)
  login(
    @Body() body: LoginRequestDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LoginResponseDto> {
    response.setHeader('Cache-Control', 'no-store');
    return this.auth.login(body, { address: meaningfulAddress(request.socket.remoteAddress) });
  }
}

/** A source address that tells clients apart: not loopback, where every request through the tunnel comes from. */
function meaningfulAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const plain = address.replace(/^::ffff:/, '');
  return plain === '127.0.0.1' || plain === '::1' ? undefined : plain;
}
