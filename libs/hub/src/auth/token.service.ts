import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { HubTokenClaims, ROLES, Role } from '@neck-signal/protocol';
import { HubSettings } from '../config/hub-settings';

const ALGORITHM = 'HS256';
/**
 * Hubs sharing a secret may count a token's lifetime a little differently. Expiry itself has no tolerance: a
 * live connection ends at `exp` exactly, so a handshake must not accept what that would end at once.
 */
const LIFETIME_SLACK_SECONDS = 5;
/**
 * The issuing moment in ms (`iat` has whole seconds): a device revoked and paired again within one second must
 * not find its new token counted as issued before the revocation.
 */
const ISSUED_AT_MS = 'iat_ms';

/** A verified token: who, as what, and when it was issued and expires (ms since the epoch). */
export interface VerifiedToken extends HubTokenClaims {
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/**
 * Issues and verifies hub tokens: HS256 only, issuer and audience checked, roles in a claim. A token must
 * expire, and not later than this hub's token lifetime after it was issued (a token minted with a leaked
 * secret cannot live for ever).
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly settings: HubSettings,
  ) {}

  /**
   * A token for `uuid` with `roles`, and the whole seconds it has left: `exp` counts from the start of the second
   * it was issued in, so a client that renews `expiresIn` seconds after receiving it is never late.
   */
  issue(uuid: string, roles: Role[], roleless = false): { token: string; expiresIn: number } {
    const { jwtSecret, issuer, audience, tokenLifetimeSeconds } = this.settings.auth;
    const now = Date.now();
    const claims: HubTokenClaims & { [ISSUED_AT_MS]: number } = {
      sub: uuid,
      roles,
      ...(roleless ? { roleless: true } : {}),
      [ISSUED_AT_MS]: now,
    };
    const token = this.jwt.sign(claims, {
      secret: jwtSecret,
      algorithm: ALGORITHM,
      issuer,
      audience,
      expiresIn: tokenLifetimeSeconds,
    });
    const { exp } = this.jwt.decode<{ exp: number }>(token);
    return { token, expiresIn: Math.max(1, Math.floor((exp * 1000 - now) / 1000)) };
  }

  /** The claims of a valid token; throws with a short reason (expired, bad signature, no exp…) otherwise. */
  verify(token: string): VerifiedToken {
    const { jwtSecret, issuer, audience, tokenLifetimeSeconds } = this.settings.auth;
    const payload = this.jwt.verify<
      Partial<HubTokenClaims> & { iat?: unknown; exp?: unknown; [ISSUED_AT_MS]?: unknown }
    >(token, {
      secret: jwtSecret,
      algorithms: [ALGORITHM],
      issuer,
      audience,
    });
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
      throw new Error('token has no expiry; log in for a new one');
    }
    if (payload.exp - payload.iat > tokenLifetimeSeconds + LIFETIME_SLACK_SECONDS) {
      throw new Error(`token lives longer than this hub allows (${tokenLifetimeSeconds} s); log in for a new one`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (typeof payload.sub !== 'string' || roles.length === 0) throw new Error('token has no subject or roles');
    const issuedAtMs = payload[ISSUED_AT_MS];
    const issuedAt =
      typeof issuedAtMs === 'number' && Math.floor(issuedAtMs / 1000) === payload.iat ? issuedAtMs : payload.iat * 1000;
    return { sub: payload.sub, roles, roleless: payload.roleless === true, issuedAt, expiresAt: payload.exp * 1000 };
  }
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
