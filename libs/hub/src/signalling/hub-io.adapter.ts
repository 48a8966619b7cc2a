import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server, ServerOptions } from 'socket.io';
import { TokenService } from '../auth/token.service';
import { HubSettings } from '../config/hub-settings';
import { TunnelService } from '../tunnel/tunnel.service';
import { OwnOrigins } from './own-origins';

/**
 * Socket.IO server options from the settings: CORS origins, payload cap, optional Redis adapter, and the guards
 * that keep junk connections from taking the hub down (see ConnectionGuard).
 */
export class HubIoAdapter extends IoAdapter {
  constructor(
    private readonly app: INestApplicationContext,
    private readonly settings: HubSettings,
    private readonly adapter?: ServerOptions['adapter'],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const tunnel = () => this.app.get(TunnelService, { strict: false }).status().url;
    const ownOrigins = new OwnOrigins(this.settings.https ? 'https' : 'http', this.settings.host, tunnel);
    const guard = new ConnectionGuard(this.settings, () => this.app.get(TokenService, { strict: false }), ownOrigins);
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: this.settings.socket.maxPayloadBytes,
      cors: { origin: corsOrigin(this.settings.corsOrigins), credentials: true },
      // ConnectionGuard discards a connection that has not authenticated in handshakeTimeoutMs; this is a backstop.
      connectTimeout: this.settings.socket.handshakeTimeoutMs + 1_000,
      allowRequest: (
        request: IncomingMessage,
        callback: (error: string | null | undefined, success: boolean) => void,
      ) => callback(guard.originRefusal(request) ?? null, guard.allows(request)),
      ...(this.adapter ? { adapter: this.adapter } : {}),
    }) as Server;
    guard.watch(server);
    return server;
  }
}

/** What the guard needs of an Engine.IO connection; `close(true)` discards the transport at once. */
interface EngineConnection {
  once(event: 'close', listener: () => void): void;
  close(discard?: boolean): void;
}

/** '*' reflects any origin (credentials allowed); a list allows exactly those origins. */
export function corsOrigin(origins: HubSettings['corsOrigins']): boolean | string[] {
  return origins === '*' ? true : origins;
}

/**
 * Guards the Engine.IO door. The `Origin` allowlist applies to the handshake and the WebSocket upgrade (403
 * before any Socket.IO traffic; requests without Origin — the agent, the CLI — pass). Connections not yet
 * authenticated are counted: past `maxUnauthenticated`, new ones are refused with 503 unless they show a valid
 * token in `Authorization: Bearer` (the Node clients do), so a flood of junk connections cannot keep a real
 * agent out. Refused ones are closed at once (handshake-auth), silent ones after `handshakeTimeoutMs`.
 */
export class ConnectionGuard {
  private static readonly guards = new WeakMap<Server, ConnectionGuard>();
  private readonly logger = new Logger(ConnectionGuard.name);
  /** Engine.IO connections that have not authenticated yet. */
  private readonly unauthenticated = new Set<object>();
  private lastWarning = 0;

  constructor(
    private readonly settings: HubSettings,
    private readonly tokens: () => TokenService,
    private readonly ownOrigins: OwnOrigins,
  ) {}

  /**
   * Why this request's Origin is not allowed, or undefined. With an allowlist: a listed origin, or the hub's own
   * page (OwnOrigins: the addresses the hub knows itself by, never the request's `Host`); `Origin: null` (a
   * sandboxed frame, a file) and anything unparsable are refused.
   */
  originRefusal(request: IncomingMessage): string | undefined {
    const origin = request.headers.origin;
    const allowed = this.settings.corsOrigins;
    if (origin === undefined || allowed === '*' || allowed.includes(origin)) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined && parsed.origin !== 'null' && this.ownOrigins.includes(parsed, request)) return undefined;
    return `origin ${origin.slice(0, 200)} is not allowed by this hub (--cors)`;
  }

  allows(request: IncomingMessage): boolean {
    return this.originRefusal(request) === undefined;
  }

  /** Connections to this server that have not authenticated yet (0 when no guard watches it). */
  static unauthenticatedCount(server: Server): number {
    return ConnectionGuard.guards.get(server)?.unauthenticated.size ?? 0;
  }

  watch(server: Server): void {
    ConnectionGuard.guards.set(server, this);
    const engine = server.engine;
    engine.on('connection', (connection: EngineConnection) => {
      this.unauthenticated.add(connection);
      // Socket.IO's connectTimeout closes politely, which over polling waits for the client's next request (up
      // to 30 s): one that never comes back is discarded here instead, first.
      const timer = setTimeout(() => {
        if (this.unauthenticated.has(connection)) connection.close(true);
      }, this.settings.socket.handshakeTimeoutMs);
      timer.unref();
      connection.once('close', () => {
        clearTimeout(timer);
        this.unauthenticated.delete(connection);
      });
    });
    server.on('connection', (socket) => {
      this.unauthenticated.delete(socket.conn);
    });

    const handleRequest = engine.handleRequest.bind(engine);
    engine.handleRequest = (request: IncomingMessage, response: ServerResponse) => {
      if (this.full(request)) {
        response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        response.end(JSON.stringify({ code: 503, message: this.busy() }));
        return;
      }
      handleRequest(request, response);
    };
    const handleUpgrade = engine.handleUpgrade.bind(engine);
    engine.handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Engine.IO answers a refused upgrade with 400; a disallowed Origin is a 403, as over polling.
      const refusal = this.originRefusal(request);
      if (refusal !== undefined) {
        socket.end(
          `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n` +
            JSON.stringify({ code: 4, message: refusal }),
        );
        return;
      }
      if (this.full(request)) {
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n`);
        return;
      }
      handleUpgrade(request, socket, head);
    };
  }

  /** A new connection while too many wait to authenticate, and no valid token to show. */
  private full(request: IncomingMessage): boolean {
    if (this.unauthenticated.size < this.settings.socket.maxUnauthenticated) return false;
    if (new URL(request.url ?? '/', 'http://hub').searchParams.has('sid')) return false;
    if (this.bearerIsValid(request)) return false;
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`${this.unauthenticated.size} connections wait to authenticate; refusing new ones (503)`);
    }
    return true;
  }

  private busy(): string {
    return 'too many connections are waiting to authenticate; try again in a moment';
  }

  private bearerIsValid(request: IncomingMessage): boolean {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return false;
    try {
      this.tokens().verify(token);
      return true;
    } catch {
      return false;
    }
  }
}
