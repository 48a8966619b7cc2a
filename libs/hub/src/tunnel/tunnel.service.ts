import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { TUNNEL_BYPASS_HEADER } from '@neck-signal/protocol';
import { HubConfigStore } from '../config/hub-config.store';
import { HubSettings, TunnelSettings } from '../config/hub-settings';
import { DEFAULT_TUNNEL_HOST, OpenTunnel, openLocalTunnel, TUNNEL_OPENER } from './localtunnel-opener';
import type { TunnelOpener } from './localtunnel-opener';
import {
  fetchTunnelPassword,
  TUNNEL_PASSWORD_FETCHER,
  tunnelPasswordUrl,
  UNKNOWN_TUNNEL_PASSWORD,
} from './tunnel-password';
import type { TunnelPasswordFetcher } from './tunnel-password';
import { TunnelState, TunnelStatus } from './tunnel.types';

/** Where the tunnel reaches the hub: its --host, or loopback when it listens on every interface. */
function localHostOf(host: string): string {
  return ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
}

/**
 * Exposes the hub through LocalTunnel and keeps the tunnel alive: heartbeats the public URL, reopens the tunnel
 * after too many failed heartbeats or a tunnel error, and backs off while it cannot open. Nothing here throws
 * or rejects out of the service: the hub keeps serving locally whatever the tunnel does.
 */
@Injectable()
export class TunnelService implements OnModuleDestroy {
  private readonly logger = new Logger(TunnelService.name);
  private readonly settings: TunnelSettings;
  private readonly host: string;
  private readonly opener: TunnelOpener;
  private readonly fetchPassword: TunnelPasswordFetcher;
  /** What the tunnel server's reminder page asks browsers for; null until a tunnel opened. */
  private tunnelPassword: string | null = null;
  private readonly openListeners = new Set<(url: string, password: string) => void>();
  private readonly localHost: string;
  /** Requests under way (for a tunnel, heartbeats), aborted on shutdown. */
  private readonly inFlight = new Set<AbortController>();

  private state: TunnelState;
  private url: string | null = null;
  /** Failed openings and failed heartbeats in a row; an opened tunnel or an answered heartbeat resets it. */
  private consecutiveFailures = 0;
  private lastError: string | null = null;

  private localPort: number | undefined;
  private tunnel: OpenTunnel | undefined;
  /** Counts attempts to open, so a late answer to a superseded attempt is recognised and dropped. */
  private attempt = 0;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    settings: HubSettings,
    private readonly store: HubConfigStore,
    @Optional() @Inject(TUNNEL_OPENER) opener?: TunnelOpener,
    @Optional() @Inject(TUNNEL_PASSWORD_FETCHER) fetchPassword?: TunnelPasswordFetcher,
  ) {
    this.fetchPassword = fetchPassword ?? fetchTunnelPassword;
    this.settings = settings.tunnel;
    this.host = this.settings.host ?? DEFAULT_TUNNEL_HOST;
    this.opener = opener ?? openLocalTunnel;
    this.localHost = localHostOf(settings.host);
    this.state = this.settings.enabled ? 'down' : 'disabled';
    this.retryDelayMs = this.settings.retryMinMs;
  }

  /** Opens the tunnel to the local port the hub listens on. Call once, after the app listens. */
  start(localPort: number): void {
    if (!Number.isInteger(localPort) || localPort < 1 || localPort > 65535) {
      throw new RangeError(`TunnelService.start: ${localPort} is not a TCP port; pass the port the hub listens on`);
    }
    if (this.stopped || this.localPort !== undefined) return;
    if (!this.settings.enabled) {
      this.logger.log('tunnel disabled; serving locally only');
      return;
    }
    this.localPort = localPort;
    this.logger.log(`opening a tunnel via ${safeUrl(this.host)} to port ${localPort}`);
    this.open();
  }

  status(): TunnelStatus {
    return {
      state: this.state,
      url: this.url,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
    };
  }

  /**
   * The tunnel password a browser is asked for on the tunnel server's reminder page ("unknown" when the server
   * would not say); null before a tunnel opened. For operators only: it is the public IP of the hub's machine.
   */
  password(): string | null {
    return this.tunnelPassword;
  }

  /** Calls `listener` with the public URL and its tunnel password each time a tunnel opens. */
  onOpen(listener: (url: string, password: string) => void): void {
    this.openListeners.add(listener);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const request of this.inFlight) request.abort();
    this.clearTimers();
    this.retire();
    if (this.state !== 'disabled') this.state = 'down';
  }

  private open(): void {
    this.openTunnel().catch((error: unknown) => this.logger.error(`tunnel: ${describe(error)}`));
  }

  private async openTunnel(): Promise<void> {
    const localPort = this.localPort;
    if (this.stopped || localPort === undefined) return;
    this.clearTimers();
    this.retire();
    const attempt = ++this.attempt;
    this.state = 'opening';
    let tunnel: OpenTunnel;
    try {
      tunnel = await this.request(this.openTimeoutMs, (signal) =>
        this.opener({
          port: localPort,
          localHost: this.localHost,
          subdomain: this.settings.subdomain,
          host: this.host,
          signal,
        }),
      );
    } catch (error) {
      if (attempt === this.attempt && !this.stopped) this.openFailed(error);
      return;
    }
    if (attempt !== this.attempt || this.stopped) {
      closeQuietly(tunnel);
      return;
    }
    this.tunnel = tunnel;
    tunnel.on('error', (error: unknown) => this.lost(tunnel, describe(error)));
    tunnel.on('close', () => this.lost(tunnel, 'the tunnel closed'));
    this.state = 'open';
    this.url = tunnel.url;
    this.consecutiveFailures = 0;
    this.lastError = null;
    this.retryDelayMs = this.settings.retryMinMs;
    this.scheduleHeartbeat(tunnel);
    this.logger.log(`public URL: ${tunnel.url}`);
    this.store.update({ localtunnel_domain: tunnel.url });
    this.announcePassword(tunnel).catch((error: unknown) => this.logger.error(`tunnel password: ${describe(error)}`));
  }

  /** Fetches the tunnel password from the tunnel server, says it beside the URL and tells the listeners. */
  private async announcePassword(tunnel: OpenTunnel): Promise<void> {
    let password = UNKNOWN_TUNNEL_PASSWORD;
    let why = '';
    try {
      password = await this.request(this.settings.heartbeatTimeoutMs, (signal) =>
        this.fetchPassword(this.host, signal),
      );
    } catch (error) {
      why = ` (${tunnelPasswordUrl(this.host)}: ${describe(error)})`;
    }
    if (tunnel !== this.tunnel || this.stopped) return;
    this.tunnelPassword = password;
    this.logger.log(
      `tunnel password: ${password}${why} — a browser opening ${tunnel.url} asks for it once per IP ` +
        'every 7 days (docs/tunnel.md)',
    );
    for (const listener of [...this.openListeners]) listener(tunnel.url, password);
  }

  /** Runs a request that ends after timeoutMs or on shutdown. */
  private async request<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // A controller per request, not one long-lived shutdown signal: AbortSignal.any() retains every signal
    // combined with a long-lived one (nodejs/node#55351).
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      return await run(AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]));
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** The request for a tunnel may take a few heartbeat timeouts (15 s by default) before it counts as failed. */
  private get openTimeoutMs(): number {
    return this.settings.heartbeatTimeoutMs * 3;
  }

  private openFailed(error: unknown): void {
    this.state = 'down';
    this.consecutiveFailures += 1;
    this.lastError = `could not open a tunnel via ${safeUrl(this.host)}: ${describe(error)}`;
    this.retryLater(`${this.lastError} — retrying in`);
  }

  /** A tunnel error or close: the tunnel is replaced, after the current back-off delay. */
  private lost(tunnel: OpenTunnel, reason: string): void {
    if (tunnel !== this.tunnel || this.stopped) return;
    this.clearTimers();
    this.retire();
    this.state = 'down';
    this.lastError = `tunnel lost: ${reason}`;
    this.retryLater(`${this.lastError} — reopening in`);
  }

  private retryLater(message: string): void {
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, this.settings.retryMaxMs);
    this.logger.warn(`${message} ${delay / 1000}s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delay);
  }

  private scheduleHeartbeat(tunnel: OpenTunnel): void {
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeat(tunnel).catch((error: unknown) => this.logger.error(`tunnel heartbeat: ${describe(error)}`));
    }, this.settings.heartbeatIntervalMs);
  }

  private async heartbeat(tunnel: OpenTunnel): Promise<void> {
    const failure = await this.probe(tunnel.url);
    if (tunnel !== this.tunnel || this.stopped) return;
    if (failure === null) {
      if (this.consecutiveFailures > 0) {
        this.logger.log(`heartbeat answered again after ${this.consecutiveFailures} failed`);
      }
      this.consecutiveFailures = 0;
      this.lastError = null;
      this.scheduleHeartbeat(tunnel);
      return;
    }
    this.consecutiveFailures += 1;
    this.lastError = `heartbeat failed: ${failure}`;
    const max = this.settings.maxHeartbeatFailures;
    this.logger.warn(`heartbeat failed ${this.consecutiveFailures}/${max}: ${failure}`);
    if (this.consecutiveFailures < max) {
      this.scheduleHeartbeat(tunnel);
      return;
    }
    this.logger.warn(`${max} heartbeats failed in a row — restarting the tunnel`);
    this.open();
  }

  /** GETs the public URL; null when it answered 2xx or 3xx, else why not. */
  private async probe(url: string): Promise<string | null> {
    try {
      const status = await this.request(this.settings.heartbeatTimeoutMs, async (signal) => {
        const response = await fetch(url, { headers: { [TUNNEL_BYPASS_HEADER]: '1' }, redirect: 'manual', signal });
        await response.body?.cancel();
        return response.status;
      });
      return status >= 200 && status < 400 ? null : `${url} answered ${status}`;
    } catch (error) {
      return describe(error);
    }
  }

  /** Closes the current tunnel, if any; its late events are ignored (it is no longer this.tunnel). */
  private retire(): void {
    const tunnel = this.tunnel;
    this.tunnel = undefined;
    if (tunnel) closeQuietly(tunnel);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.heartbeatTimer);
    this.retryTimer = undefined;
    this.heartbeatTimer = undefined;
  }
}

function closeQuietly(tunnel: OpenTunnel): void {
  // A closed tunnel's sockets may still fail; keep a listener so that is never thrown.
  if (tunnel.listenerCount('error') === 0) tunnel.on('error', () => undefined);
  try {
    tunnel.close();
  } catch {
    // Closing is best effort: the tunnel is dropped either way.
  }
}

/** An error as one line, with the cause fetch hides behind "fetch failed". */
function describe(error: unknown): string {
  // Duck-typed: errors from fetch may come from another realm (instanceof Error fails under jest).
  if (!isErrorLike(error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = isErrorLike(error.cause) ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function isErrorLike(value: unknown): value is { name: unknown; message: string; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/** The URL without any user name or password, for logs. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.origin + (parsed.pathname === '/' ? '' : parsed.pathname);
  } catch {
    return '(invalid tunnel host)';
  }
}
