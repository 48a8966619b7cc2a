import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SignallingModule } from '../signalling/signalling.module';
import { TunnelModule } from '../tunnel/tunnel.module';
import { HealthController } from './health.controller';

@Module({
  imports: [AuthModule, SignallingModule, TunnelModule],
  controllers: [HealthController],
})
export class HealthModule {}
