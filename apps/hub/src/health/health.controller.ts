import { Controller, Get } from '@nestjs/common';
import { HubPaths } from '@neck-signal/protocol';
import { neckSignalVersion } from '@neck-signal/runtime';

@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  @Get(HubPaths.Health)
  health() {
    return {
      status: 'ok',
      version: neckSignalVersion(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }
}
