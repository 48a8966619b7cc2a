import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DevicesController, OperatorGuard } from '../auth/devices.controller';
import { NeckStatusRegistry } from './neck-status.registry';
import { SignallingGateway } from './signalling.gateway';

@Module({
  imports: [AuthModule],
  controllers: [DevicesController],
  providers: [SignallingGateway, NeckStatusRegistry, OperatorGuard],
  exports: [SignallingGateway, NeckStatusRegistry],
})
export class SignallingModule {}
