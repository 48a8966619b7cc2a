import { Module } from '@nestjs/common';
import { openLocalTunnel, TUNNEL_OPENER } from './localtunnel-opener';
import { TunnelService } from './tunnel.service';

/** The LocalTunnel exposure of the hub. Needs the global HubConfigModule; call TunnelService.start after listen. */
@Module({
  providers: [TunnelService, { provide: TUNNEL_OPENER, useValue: openLocalTunnel }],
  exports: [TunnelService],
})
export class TunnelModule {}
