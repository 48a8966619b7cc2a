import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HubHealthDto, HubPaths } from '@neck-signal/protocol';
import { neckSignalVersion } from '@neck-signal/program-kit';
import { NeckStatusRegistry } from '../signalling/neck-status.registry';
import { SignallingGateway } from '../signalling/signalling.gateway';
import { TunnelService } from '../tunnel/tunnel.service';

@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly gateway: SignallingGateway,
    private readonly necks: NeckStatusRegistry,
    private readonly tunnel: TunnelService,
  ) {}

  /** JSON health; a browser (Accept prefers text/html) is sent to the web page instead. */
  @Get(HubPaths.Health)
  async health(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<HubHealthDto | void> {
    if (request.accepts(['json', 'html']) === 'html') {
      response.redirect(302, HubPaths.WebPage);
      return;
    }
    response.setHeader('Cache-Control', 'no-store');
    return {
      status: 'ok',
      version: neckSignalVersion(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      peers: await this.gateway.peerCount(),
      unauthenticated: this.gateway.unauthenticatedCount(),
      necks: this.necks.all(),
      tunnel: { ...this.tunnel.status() },
    };
  }
}
