import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Provider } from '@nestjs/common';
import { HubSettings } from '../config/hub-settings';
import type { DeviceStore } from './device-store';
import { FileDeviceStore, RedisDeviceStore } from './device-store';

/** Nest token of the DeviceStore: devices.json in the config dir, or Redis when hubs share one. */
export const DEVICE_STORE = Symbol('DEVICE_STORE');

export const deviceStoreProvider: Provider = {
  provide: DEVICE_STORE,
  inject: [HubSettings],
  useFactory: (settings: HubSettings): DeviceStore =>
    settings.redisUrl ? new RedisDeviceStore(settings.redisUrl) : new FileDeviceStore(settings.configDir),
};

/**
 * Connects the device store when the hub starts (a failure stops the start with a message, as the Redis
 * adapter's does) and closes it when the hub stops.
 */
@Injectable()
export class DeviceStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(DEVICE_STORE) private readonly store: DeviceStore) {}

  async onModuleInit(): Promise<void> {
    if (!(this.store instanceof RedisDeviceStore)) return;
    await this.store.connect();
    new Logger('DeviceStore').log('device keys are kept in Redis, shared by every hub');
  }

  onApplicationShutdown(): Promise<void> {
    return this.store.close();
  }
}
