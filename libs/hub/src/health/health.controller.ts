import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HubHealthDto, HubPaths } from '@neck-signal/protocol';
import { neckSignalVersion } from '@neck-signal/program-kit';
import { TokenService } from '../auth/token.service';
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
    private readonly tokens: TokenService,
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
      tunnel: { ...this.tunnel.status(), ...this.tunnelPasswordFor(request) },
      ...(redis ? { redis } : {}),
      timeline: this.timelines.summary(),
    };
  }

  /** The tunnel password, for an operator's request (a valid token of role ui) only: it is the machine's public IP. */
  private tunnelPasswordFor(request: Request): { password?: string } {
    const password = this.tunnel.password();
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (password === null || token === undefined) return {};
    try {
      return this.tokens.verify(token).roles.includes('ui') ? { password } : {};
    } catch {
      return {}; // an expired or foreign token gets the anonymous answer
    }
  }
}
