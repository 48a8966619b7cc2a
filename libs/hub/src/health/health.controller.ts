import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HubHealthDto, HubPaths } from '@neck-signal/protocol';
import { neckSignalVersion } from '@neck-signal/program-kit';
import { PeerRegistry } from '../signalling/peer-registry';
import { RedisHealth } from '../signalling/redis-health';
import { SignallingGateway } from '../signalling/signalling.gateway';
import { TimelineStats } from '../timeline/timeline-stats';
import { TunnelService } from '../tunnel/tunnel.service';

@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly gateway: SignallingGateway,
    private readonly registry: PeerRegistry,
    private readonly timelines: TimelineStats,
    private readonly tunnel: TunnelService,
    private readonly redis: RedisHealth,
  ) {}

  /** JSON health; a browser (Accept prefers text/html) is sent to the web page instead. */
  @Get(HubPaths.Health)
  health(@Req() request: Request, @Res({ passthrough: true }) response: Response): HubHealthDto | void {
    if (request.accepts(['json', 'html']) === 'html') {
      response.redirect(302, HubPaths.WebPage);
      return;
    }
    response.setHeader('Cache-Control', 'no-store');
    const redis = this.redis.status();
    return {
      status: 'ok',
      version: neckSignalVersion(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      peers: this.registry.size,
      unauthenticated: this.gateway.unauthenticatedCount(),
      necks: this.registry.withStatus(),
      quietNecks: this.registry.quietNecks(),
      tunnel: { ...this.tunnel.status() },
      ...(redis ? { redis } : {}),
      timeline: this.timelines.summary(),
    };
  }
}
