import { DynamicModule, Global, Module } from '@nestjs/common';
import { HubConfigStore } from './hub-config.store';
import { HubSettings } from './hub-settings';

/** Provides the resolved HubSettings and the hub.json store to every hub module. */
@Global()
@Module({})
export class HubConfigModule {
  static forRoot(settings: HubSettings): DynamicModule {
    return {
      module: HubConfigModule,
      providers: [{ provide: HubSettings, useValue: settings }, HubConfigStore],
      exports: [HubSettings, HubConfigStore],
    };
  }
}
