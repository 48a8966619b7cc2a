import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NeckStatusRegistry } from './neck-status.registry';
import { SignallingGateway } from './signalling.gateway';

@Module({
  imports: [AuthModule],
  providers: [SignallingGateway, NeckStatusRegistry],
  exports: [SignallingGateway, NeckStatusRegistry],
})
export class SignallingModule {}
