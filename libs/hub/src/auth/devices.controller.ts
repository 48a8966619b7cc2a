import {
  CanActivate,
  Controller,
  Delete,
  ExecutionContext,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Logger,
  Param,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import { DevicesDto, HubPaths, RevokedDto } from '@neck-signal/protocol';
import { SignallingGateway } from '../signalling/signalling.gateway';
import type { DeviceStore } from './device-store';
import { DEVICE_STORE } from './device-store.provider';
import { TokenService } from './token.service';

/** `Authorization: Bearer <token>` of an operator (role ui): those who may pair devices may also see and revoke them. */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) throw new UnauthorizedException('log in first and send Authorization: Bearer <token>');
    let roles: readonly string[];
    try {
      roles = this.tokens.verify(token).roles;
    } catch (error) {
      throw new UnauthorizedException(`${(error as Error).message}; log in again`);
    }
    if (!roles.includes('ui')) throw new ForbiddenException('only operators (role ui) may see or revoke devices');
    return true;
  }
}

/** The paired devices: list them, revoke one (its sockets are dropped at once, on every hub) or all. */
@Controller(HubPaths.Devices)
@UseGuards(OperatorGuard)
export class DevicesController {
  private readonly logger = new Logger(DevicesController.name);

  constructor(
    @Inject(DEVICE_STORE) private readonly devices: DeviceStore,
    private readonly gateway: SignallingGateway,
  ) {}

  @Get()
  async list(): Promise<DevicesDto> {
    const byUuid = new Map<string, DevicesDto['devices'][number]>();
    for (const entry of await this.devices.all()) {
      const seen = byUuid.get(entry.uuid);
      const lastUsed = entry.lastUsedAt === null ? null : new Date(entry.lastUsedAt).toISOString();
      if (!seen) {
        byUuid.set(entry.uuid, {
          uuid: entry.uuid,
          role: entry.role,
          keys: 1,
          pairedAt: new Date(entry.pairedAt).toISOString(),
          lastUsedAt: lastUsed,
        });
        continue;
      }
      seen.keys += 1;
      if (lastUsed !== null && (seen.lastUsedAt === null || lastUsed > seen.lastUsedAt)) seen.lastUsedAt = lastUsed;
    }
    return { devices: [...byUuid.values()].sort((a, b) => a.uuid.localeCompare(b.uuid)) };
  }

  @Delete(':uuid')
  async revoke(@Param('uuid') uuid: string): Promise<RevokedDto> {
    const keys = await this.devices.revoke(uuid, Date.now());
    const sockets = await this.gateway.dropDevice(
      uuid,
      `device ${uuid} was revoked; pair again with the shared password`,
    );
    this.logger.warn(`revoked device ${uuid}: ${keys} keys, ${sockets} connections dropped`);
    return { keys, sockets };
  }

  @Delete()
  async revokeAll(): Promise<RevokedDto> {
    const keys = await this.devices.revokeAll(Date.now());
    const sockets = await this.gateway.dropAll('every device was revoked; pair again with the shared password');
    this.logger.warn(`revoked every device: ${keys} keys, ${sockets} connections dropped`);
    return { keys, sockets };
  }
}
