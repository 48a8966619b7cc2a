import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { LoginRequestDto, LoginResponseDto, Role } from '@neck-signal/protocol';
import { randomUuid } from '@neck-signal/program-kit';
import { DEFAULT_MAX_PAIRED_DEVICES, HubSettings } from '../config/hub-settings';
import type { DeviceKeyEntry, DeviceStore } from './device-store';
import { newDeviceKey, secretMatches, splitDeviceKey } from './device-store';
import { DEVICE_STORE } from './device-store.provider';
import { LoginLimiter } from './login-limiter';
import { TokenService } from './token.service';

/** Keys one uuid may hold at once (one per browser tab, CLI config dir…). */
export const MAX_KEYS_PER_DEVICE = 10;

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

/** Where a login comes from: its source address, when it tells anything (not the tunnel's loopback). */
export interface LoginOrigin {
  readonly address?: string;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly settings: HubSettings,
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiter,
    @Inject(DEVICE_STORE) private readonly devices: DeviceStore,
  ) {}

  /**
   * A token for the shared password (pairing a device key with `pair: true`) or for a device key. A device key
   * logs in as what it was paired as, and only that; wrong passwords slow down their identity, never a key.
   */
  async login(request: LoginRequestDto, origin: LoginOrigin = {}): Promise<LoginResponseDto> {
    if (request.deviceKey !== undefined) return this.loginWithKey(request.deviceKey, request);
    const identity = request.uuid ?? `address ${origin.address ?? 'unknown'}`;
    const blockedMs = await this.limiter.blockedForMs(identity, origin.address);
    if (blockedMs > 0) throw new LoginThrottledException(Math.ceil(blockedMs / 1000));

    if (!sameSecret(request.password ?? '', this.settings.auth.sharedSecret)) {
      const waitMs = await this.limiter.recordFailure(identity, origin.address);
      this.logger.warn(
        `login refused: wrong password from ${identity}${waitMs > 0 ? ` (it waits ${Math.ceil(waitMs / 1000)} s)` : ''}`,
      );
      throw new UnauthorizedException('wrong password');
    }
    this.limiter.recordSuccess(identity);
    const uuid = request.uuid ?? randomUuid();
    const role = request.role ?? 'ui';
    // No role named: an original Python client, agent or UI; the hub files it as ui until it answers a command.
    const response: LoginResponseDto = { ...this.tokens.issue(uuid, [role], request.role === undefined), uuid };
    if (request.pair === true) {
      await this.refuseNewDeviceWhenFull(uuid);
      const { key, entry } = newDeviceKey(uuid, role, Date.now());
      await this.devices.add(entry);
      await this.keepNewestKeys(uuid);
      response.deviceKey = key;
      // A new neck receives every command meant for a neck: say so where an operator looks.
      if (role === 'neck') this.logger.warn(`paired a new neck: ${uuid}`);
      else this.logger.log(`paired ${uuid} as ${role}`);
    } else {
      this.logger.log(`login: ${uuid} as ${role}`);
    }
    return response;
  }

  private async loginWithKey(deviceKey: string, request: LoginRequestDto): Promise<LoginResponseDto> {
    const parts = splitDeviceKey(deviceKey);
    const entry = parts ? await this.devices.get(parts.keyId) : undefined;
    if (!parts || !entry || !secretMatches(entry, parts.secret)) {
      this.logger.warn(`login refused: unknown or revoked device key${request.uuid ? ` for ${request.uuid}` : ''}`);
      throw new UnauthorizedException('unknown or revoked device key; pair again with the shared password');
    }
    if (request.uuid !== undefined && request.uuid !== entry.uuid) {
      throw new UnauthorizedException(`this device key belongs to ${entry.uuid}, not ${request.uuid}`);
    }
    const role = request.role ?? entry.role;
    if (!keyMayLogInAs(entry.role, role)) {
      throw new UnauthorizedException(
        `this device key was paired as ${entry.role}; it cannot log in as ${role} (pair again with the password)`,
      );
    }
    await this.devices.touch(entry.keyId, Date.now());
    this.logger.log(`login: ${entry.uuid} as ${role} (device key)`);
    return { ...this.tokenFor(entry.uuid, role), uuid: entry.uuid };
  }

  /**
   * A device pairs again whenever it lost its key (a web page: every new tab), so old keys of one uuid are
   * dropped past MAX_KEYS_PER_DEVICE, the least recently used first.
   */
  private async keepNewestKeys(uuid: string): Promise<void> {
    const lastUse = (entry: DeviceKeyEntry) => entry.lastUsedAt ?? entry.pairedAt;
    // In the order they were added (the file store keeps it): within one ms, the later one is the newer.
    const keys = (await this.devices.all())
      .filter((entry) => entry.uuid === uuid)
      .map((entry, order) => ({ entry, order }));
    if (keys.length <= MAX_KEYS_PER_DEVICE) return;
    const newestFirst = keys.sort((a, b) => lastUse(b.entry) - lastUse(a.entry) || b.order - a.order);
    await this.devices.removeKeys(newestFirst.slice(MAX_KEYS_PER_DEVICE).map(({ entry }) => entry.keyId));
  }

  /**
   * At most maxPairedDevices distinct uuids hold keys: one more is refused (a uuid already paired may pair
   * again). Refusing, rather than dropping the oldest unused, keeps a flood of pairings from unpairing a robot
   * that was simply switched off for a while; `neck devices revoke UUID` makes room.
   */
  private async refuseNewDeviceWhenFull(uuid: string): Promise<void> {
    const max = this.settings.auth.maxPairedDevices ?? DEFAULT_MAX_PAIRED_DEVICES;
    const paired = new Set((await this.devices.all()).map((entry) => entry.uuid));
    if (paired.has(uuid) || paired.size < max) return;
    this.logger.warn(`pairing refused: ${uuid} would be paired device ${paired.size + 1} of at most ${max}`);
    throw new ForbiddenException(
      `this hub already has ${paired.size} paired devices, its limit (max_paired_devices); revoke one with ` +
        '`neck devices revoke UUID`, or log in without pairing',
    );
  }

  private tokenFor(uuid: string, role: Role): { token: string; expiresIn: number } {
    return this.tokens.issue(uuid, [role]);
  }
}

/** A key logs in as the role it was paired as, or a lesser one: an operator's (`ui`) may only watch. */
function keyMayLogInAs(paired: Role, wanted: Role): boolean {
  return wanted === paired || (paired === 'ui' && wanted === 'observer');
}

/** Constant-time comparison; hashing first makes the lengths equal and hides the real one. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
