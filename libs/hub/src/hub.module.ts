import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { HubConfigModule } from './config/hub-config.module';
import { HubSettings } from './config/hub-settings';
import { HealthModule } from './health/health.module';
import { SignallingModule } from './signalling/signalling.module';
import { TunnelModule } from './tunnel/tunnel.module';
import { WebController } from './web/web.controller';

@Module({})
export class HubModule {
  static forRoot(settings: HubSettings): DynamicModule {
    return {
      module: HubModule,
      imports: [HubConfigModule.forRoot(settings), AuthModule, SignallingModule, TunnelModule, HealthModule],
      controllers: [WebController],
    };
  }
}
