import { Module } from '@nestjs/common';
import { openLocalTunnel, TUNNEL_OPENER } from './localtunnel-opener';
import { fetchTunnelPassword, TUNNEL_PASSWORD_FETCHER } from './tunnel-password';
import { TunnelService } from './tunnel.service';

/** The LocalTunnel exposure of the hub. Needs the global HubConfigModule; call TunnelService.start after listen. */
@Module({
  providers: [
    TunnelService,
    { provide: TUNNEL_OPENER, useValue: openLocalTunnel },
    { provide: TUNNEL_PASSWORD_FETCHER, useValue: fetchTunnelPassword },
  ],
  exports: [TunnelService],
})
export class TunnelModule {}
