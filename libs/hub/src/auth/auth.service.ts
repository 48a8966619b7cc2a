import { HttpException, HttpStatus, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { LoginRequestDto, LoginResponseDto } from '@neck-signal/protocol';
import { randomUuid } from '@neck-signal/program-kit';
import { HubSettings } from '../config/hub-settings';
import { LoginLimiter } from './login-limiter';
import { TokenService } from './token.service';

/** 429 with the seconds to wait, which the controller also sends as Retry-After. */
export class LoginThrottledException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: `too many failed logins; try again in ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly settings: HubSettings,
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiter,
  ) {}

  async login(request: LoginRequestDto): Promise<LoginResponseDto> {
    const blockedMs = await this.limiter.blockedForMs();
    if (blockedMs > 0) throw new LoginThrottledException(Math.ceil(blockedMs / 1000));

    if (!sameSecret(request.password, this.settings.auth.sharedSecret)) {
      const left = await this.limiter.recordFailure();
      this.logger.warn(`login refused: wrong password (${left} more failures allowed in this window)`);
      throw new UnauthorizedException('wrong password');
    }
    const uuid = request.uuid ?? randomUuid();
    const role = request.role ?? 'ui';
    this.logger.log(`login: ${uuid} as ${role}`);
    return { token: this.tokens.issue(uuid, [role]), uuid };
  }
}

/** Constant-time comparison; hashing first makes the lengths equal and hides the real one. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
