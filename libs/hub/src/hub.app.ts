import { ConsoleLogger, INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { QuietStartLogger } from '@neck-signal/program-kit';
import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HubSettings } from './config/hub-settings';
import { HubModule } from './hub.module';
import { HubIoAdapter, corsOrigin } from './signalling/hub-io.adapter';
import { HubServer } from './signalling/hub-socket';
import { RedisLink, connectRedisAdapter } from './signalling/redis-adapter';
import { RedisHealth } from './signalling/redis-health';
import { SignallingGateway } from './signalling/signalling.gateway';
import { TunnelService } from './tunnel/tunnel.service';

export interface HubAppOptions {
  /** Where the hub logs: a logger, or the levels to print on the console. Default log, warn and error. */
  logger?: LoggerService | LogLevel[] | false;
  /**
   * With levels (or the default), also print Nest's own start-up lines below warning level: modules loaded,
   * routes mapped, gateway events subscribed (`--verbose`). Default false: the programs say what matters.
   */
  nestLogs?: boolean;
}

function hubLogger(options: HubAppOptions): LoggerService | LogLevel[] | false {
  const logger = options.logger ?? ['log', 'warn', 'error'];
  if (!Array.isArray(logger)) return logger;
  // A logger of its own either way: given levels, Nest would only retune the one a previous hub installed.
  return options.nestLogs === true
    ? new ConsoleLogger({ logLevels: logger })
    : new QuietStartLogger({ logLevels: logger });
}

export interface RunningHub {
  app: INestApplication;
  /** http(s)://host:port the hub listens on (127.0.0.1 when bound to every interface). */
  url: string;
  port: number;
  /** The Socket.IO server (for middleware in tests, or a service that adds its own events). */
  io: HubServer;
  close(): Promise<void>;
}

/** Builds the hub, listens on settings.host:settings.port (0 = a free port) and starts the tunnel. */
export async function startHub(settings: HubSettings, options: HubAppOptions = {}): Promise<RunningHub> {
  const app = await NestFactory.create(HubModule.forRoot(settings), {
    logger: hubLogger(options),
    cors: { origin: corsOrigin(settings.corsOrigins), credentials: true, exposedHeaders: ['Retry-After'] },
    ...(settings.https ? { httpsOptions: { cert: settings.https.chain, key: settings.https.key } } : {}),
  });
  // No browser may read a JSON answer (GET /, /login, /devices) as anything else: a script, a style sheet.
  app.use((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  let redis: RedisLink | undefined;
  try {
    redis = settings.redisUrl ? connectRedisAdapter(settings.redisUrl, app.get(RedisHealth)) : undefined;
    app.useWebSocketAdapter(new HubIoAdapter(app, settings, redis?.adapter));
    // Serving before Redis first answers would refuse pairings and lose cross-hub deliveries for no reason: wait
    // for it a moment, then start anyway (degraded, as during any outage) when it is not there.
    if (redis) await firstAnswer(app.get(RedisHealth), REDIS_START_WAIT_MS);
    await app.listen(settings.port, settings.host);
  } catch (error) {
    await app.close();
    await redis?.close();
    throw error;
  }
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const host = ['0.0.0.0', '::'].includes(settings.host) ? '127.0.0.1' : settings.host;
  app.get(TunnelService).start(port);
  const close = async () => {
    await app.close();
    await redis?.close();
  };
  const io = app.get(SignallingGateway).io;
  const scheme = settings.https ? 'https' : 'http';
  return { app, url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`, port, io, close };
}

/** How long a hub with --redis waits at start for Redis to answer before serving without it, ms. */
const REDIS_START_WAIT_MS = 5_000;

function firstAnswer(health: RedisHealth, timeoutMs: number): Promise<void> {
  if (health.isUp) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const off = health.onUp(done);
    function done(): void {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}
