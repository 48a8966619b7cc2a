import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DevicesController, OperatorGuard } from '../auth/devices.controller';
import { TimelineStats } from '../timeline/timeline-stats';
import { PeerRegistry } from './peer-registry';
import { SignallingGateway } from './signalling.gateway';

@Module({
  imports: [AuthModule],
  controllers: [DevicesController],
  providers: [SignallingGateway, PeerRegistry, TimelineStats, OperatorGuard],
  exports: [SignallingGateway, PeerRegistry, TimelineStats],
})
export class SignallingModule {}
