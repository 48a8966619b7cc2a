import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DEVICE_STORE, DeviceStoreLifecycle, deviceStoreProvider } from './device-store.provider';
import { LoginLimiter } from './login-limiter';
import { TokenService } from './token.service';

@Module({
  imports: [JwtModule.register({})],
  controllers: [AuthController],
  providers: [AuthService, LoginLimiter, TokenService, deviceStoreProvider, DeviceStoreLifecycle],
  exports: [TokenService, DEVICE_STORE],
})
export class AuthModule {}
