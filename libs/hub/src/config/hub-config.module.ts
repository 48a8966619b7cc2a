import { DynamicModule, Global, Module } from '@nestjs/common';
import { HubConfigStore } from './hub-config.store';
import { RedisHealth } from '../signalling/redis-health';
import { HubSettings } from './hub-settings';

/**
 * Provides the resolved HubSettings, the hub.json store and the health of the link to Redis (which every Redis
 * client of the hub reports to) to every hub module.
 */
@Global()
@Module({})
export class HubConfigModule {
  static forRoot(settings: HubSettings): DynamicModule {
    return {
      module: HubConfigModule,
      providers: [{ provide: HubSettings, useValue: settings }, HubConfigStore, RedisHealth],
      exports: [HubSettings, HubConfigStore, RedisHealth],
    };
  }
}
