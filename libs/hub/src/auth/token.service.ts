import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { HubTokenClaims, ROLES, Role } from '@neck-signal/protocol';
import { HubSettings } from '../config/hub-settings';

const ALGORITHM = 'HS256';

/** Issues and verifies hub tokens: HS256 only, issuer and audience checked, roles in a claim. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly settings: HubSettings,
  ) {}

  issue(uuid: string, roles: Role[]): string {
    const { jwtSecret, issuer, audience, tokenLifetimeSeconds } = this.settings.auth;
    const claims: HubTokenClaims = { sub: uuid, roles };
    return this.jwt.sign(claims, {
      secret: jwtSecret,
      algorithm: ALGORITHM,
      issuer,
      audience,
      expiresIn: tokenLifetimeSeconds,
    });
  }

  /** The claims of a valid token; throws with a short reason (expired, bad signature…) otherwise. */
  verify(token: string): HubTokenClaims {
    const { jwtSecret, issuer, audience } = this.settings.auth;
    const payload = this.jwt.verify<Partial<HubTokenClaims>>(token, {
      secret: jwtSecret,
      algorithms: [ALGORITHM],
      issuer,
      audience,
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (typeof payload.sub !== 'string' || roles.length === 0) throw new Error('token has no subject or roles');
    return { sub: payload.sub, roles };
  }
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
