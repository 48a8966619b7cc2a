import { Module } from '@nestjs/common';
import { SignallingModule } from '../signalling/signalling.module';
import { TunnelModule } from '../tunnel/tunnel.module';
import { HealthController } from './health.controller';

@Module({
  imports: [SignallingModule, TunnelModule],
  controllers: [HealthController],
})
export class HealthModule {}
