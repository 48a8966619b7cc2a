import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, Socket } from 'socket.io-client';
import { ClientToServerEvents, LoginResponseDto, Role, ServerToClientEvents } from '@neck-signal/protocol';
import { HubSettings, RunningHub, TOKEN_AUDIENCE, TOKEN_ISSUER, startHub } from '@neck-signal/hub';
import { RecordingLogger } from './recording-logger';

export type TestPeer = Socket<ServerToClientEvents, ClientToServerEvents>;

export const TEST_PASSWORD = 'correct horse battery staple';
/** What a hub adds to a message or command it relays (its id, when it received it, how long it took). */
export const HUB_STAMP = { hub: expect.any(String), at: expect.any(Number), ms: expect.any(Number) };

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789abcdef';

type SettingsOverrides = Partial<Omit<HubSettings, 'auth' | 'socket' | 'tunnel'>> & {
  auth?: Partial<HubSettings['auth']>;
  socket?: Partial<HubSettings['socket']>;
  tunnel?: Partial<HubSettings['tunnel']>;
};

/** Settings for a hub on 127.0.0.1, port 0, no tunnel, with a temporary config dir. */
export function testHubSettings(configDir: string, overrides: SettingsOverrides = {}): HubSettings {
  return new HubSettings({
    configDir,
    port: 0,
    host: '127.0.0.1',
    corsOrigins: '*',
    ...overrides,
    auth: {
      sharedSecret: TEST_PASSWORD,
      jwtSecret: TEST_JWT_SECRET,
      tokenLifetimeSeconds: 3600,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      maxFailedLogins: 5,
      failedLoginWindowSeconds: 900,
      maxFailedLoginsPerMinute: 300,
      ...overrides.auth,
    },
    socket: {
      maxPayloadBytes: 16 * 1024,
      messagesPerSecond: 300,
      handshakeTimeoutMs: 3000,
      maxUnauthenticated: 1000,
      ...overrides.socket,
    },
    tunnel: {
      enabled: false,
      heartbeatIntervalMs: 60_000,
      heartbeatTimeoutMs: 5_000,
      maxHeartbeatFailures: 5,
      retryMinMs: 5_000,
      retryMaxMs: 300_000,
      ...overrides.tunnel,
    },
  });
}

/** A real hub in this process, plus every peer connected through it; `close()` ends them all. */
export class TestHub {
  readonly logger = new RecordingLogger();
  private readonly peers: TestPeer[] = [];

  private constructor(
    readonly hub: RunningHub,
    readonly settings: HubSettings,
    private readonly ownsDir: boolean,
    logger: RecordingLogger,
  ) {
    this.logger = logger;
  }

  static async start(overrides: SettingsOverrides = {}): Promise<TestHub> {
    const ownsDir = overrides.configDir === undefined;
    const configDir = overrides.configDir ?? mkdtempSync(join(tmpdir(), 'neck-hub-'));
    const settings = testHubSettings(configDir, overrides);
    const logger = new RecordingLogger();
    const hub = await startHub(settings, { logger });
    return new TestHub(hub, settings, ownsDir, logger);
  }

  get url(): string {
    return this.hub.url;
  }

  async login(body: { uuid?: string; password?: string; role?: Role } = {}): Promise<LoginResponseDto> {
    const response = await this.postLogin({ password: TEST_PASSWORD, ...body });
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as LoginResponseDto;
  }

  postLogin(body: unknown): Promise<Response> {
    return fetch(`${this.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** A socket.io-client peer, not yet connected. */
  peer(auth: Record<string, unknown> | undefined, transports: ('websocket' | 'polling')[] = ['websocket']): TestPeer {
    const socket: TestPeer = io(this.url, { auth, transports, reconnection: false, forceNew: true });
    this.peers.push(socket);
    return socket;
  }

  /** Logs in with the role and connects; resolves once `existing-peers` has arrived. */
  async connect(role: Role = 'ui', uuid?: string): Promise<{ socket: TestPeer; uuid: string; peers: unknown[] }> {
    const login = await this.login({ role, ...(uuid ? { uuid } : {}) });
    const socket = this.peer({ token: login.token });
    const peers = await nextEvent(socket, 'existing-peers');
    return { socket, uuid: login.uuid, peers };
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.disconnect();
    await this.hub.close();
    if (this.ownsDir) rmSync(this.settings.configDir, { recursive: true, force: true });
  }
}

type EventArgs<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>;

/** The first argument of the next `event` on the socket, or a rejection after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestPeer,
  event: E,
  timeoutMs = 5_000,
  accept: (payload: EventArgs<E>[0]) => boolean = () => true,
): Promise<EventArgs<E>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: EventArgs<E>) => {
      if (!accept(args[0])) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args[0]);
    };
    socket.on(event, listener as never);
  });
}

/** Resolves with the connect_error message, or rejects if the socket connects. */
export function connectError(socket: TestPeer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connect nor connect_error')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connected, but should have been refused'));
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  });
}

/** Collects every `event` payload the socket receives, for asserting that something did NOT arrive. */
export function collect<E extends keyof ServerToClientEvents>(socket: TestPeer, event: E): EventArgs<E>[0][] {
  const seen: EventArgs<E>[0][] = [];
  socket.on(event, ((payload: EventArgs<E>[0]) => seen.push(payload)) as never);
  return seen;
}
