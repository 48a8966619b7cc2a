import { Body, Controller, HttpCode, HttpStatus, Post, Res, UseFilters, UsePipes } from '@nestjs/common';
import type { Response } from 'express';
import { HubPaths, LoginRequestDto, LoginResponseDto } from '@neck-signal/protocol';
import { hubValidationPipe } from '../common/validation';
import { AuthService } from './auth.service';
import { RetryAfterFilter } from './retry-after.filter';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Trades the shared password for a token: 200 {token, uuid}, 400 malformed, 401 wrong, 429 throttled. */
  @Post(HubPaths.Login)
  @HttpCode(HttpStatus.OK)
  @UsePipes(hubValidationPipe())
  @UseFilters(RetryAfterFilter)
  login(@Body() body: LoginRequestDto, @Res({ passthrough: true }) response: Response): Promise<LoginResponseDto> {
    response.setHeader('Cache-Control', 'no-store');
    return this.auth.login(body);
  }
}
