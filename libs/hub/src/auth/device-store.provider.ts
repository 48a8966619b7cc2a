import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Provider } from '@nestjs/common';
import { HubSettings } from '../config/hub-settings';
import { RedisHealth } from '../signalling/redis-health';
import type { DeviceStore } from './device-store';
import { FileDeviceStore, RedisDeviceStore } from './device-store';

/** Nest token of the DeviceStore: devices.json in the config dir, or Redis when hubs share one. */
export const DEVICE_STORE = Symbol('DEVICE_STORE');

export const deviceStoreProvider: Provider = {
  provide: DEVICE_STORE,
  inject: [HubSettings, RedisHealth],
  useFactory: (settings: HubSettings, health: RedisHealth): DeviceStore =>
    settings.redisUrl ? new RedisDeviceStore(settings.redisUrl, health) : new FileDeviceStore(settings.configDir),
};

/**
 * Starts connecting the device store when the hub starts (Redis absent is an outage like any other: device-key
 * logins wait for it, see RedisDeviceStore) and closes it when the hub stops.
 */
@Injectable()
export class DeviceStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(DEVICE_STORE) private readonly store: DeviceStore) {}

  onModuleInit(): void {
    if (!(this.store instanceof RedisDeviceStore)) return;
    this.store.connect();
    new Logger('DeviceStore').log('device keys are kept in Redis, shared by every hub');
  }

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}
