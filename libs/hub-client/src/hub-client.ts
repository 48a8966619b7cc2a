import { io, type Socket } from 'socket.io-client';
import {
  BroadcastMessageDto,
  Events,
  formatSeconds,
  HubHealthDto,
  HubPaths,
  NeckCommandRequestDto,
  PeerMessageRequestDto,
  type ClientToServerEvents,
  type HandshakeAuth,
  type LoginRequestDto,
  type LoginResponseDto,
  type PeerInfoDto,
  type RenewTokenResultDto,
  type Role,
  type ServerToClientEvents,
  TUNNEL_BYPASS_HEADER,
  validatePayload,
} from '@neck-signal/protocol';
import { CommandTracker, type CommandAck, type CommandResult, type TrackedAck } from './command-tracker';
import {
  ClientClosedError,
  HubClientError,
  HubError,
  LoginError,
  NotConnectedError,
  type LoginFailureReason,
} from './errors';
import { requestLogin } from './login';
import { TypedEmitter } from './typed-emitter';
import { RefusedInput, guardInput } from './input-guard';

/**
 * Where a device keeps the key the hub gave it when it paired (the agent and the CLI: their config dir, mode
 * 0600; the web page: the tab). With one, the client pairs on its password login and logs in with the key after.
 */
export interface DeviceKeyStore {
  load(): string | undefined;
  /** Keeps a new key; undefined forgets it (the hub refused it). */
  save(key: string | undefined): void;
}

/**
 * How a client in Node trusts a hub that serves a certificate of its own making (`neck-hub --https`, `npm start --
 * --lan`): the authorities to trust (PEM; program-kit's `hubTrust` keeps the public ones and adds the hub's
 * https-ca.pem) and a fetch that trusts them. A browser needs none: it trusts what its user accepted.
 */
export interface HubTrust {
  readonly ca: string | readonly string[];
  readonly fetch: typeof fetch;
}

export interface HubClientOptions {
  /** Hub URL, e.g. https://neck-signal.loca.lt or http://127.0.0.1:5000 (trailing slash ignored). */
  url: string;
  /** Node only: trust for a hub with a certificate of its own. Default: what HubClient.trustHub gave its URL, if any. */
  trust?: HubTrust;
  /** The shared password (PEER_SHARED_SECRET); needed to pair, or always without a device key store. */
  password?: string;
  /** Keeps this device's key: log in with it, pair (with the password) when there is none. */
  deviceKeys?: DeviceKeyStore;
  /**
   * The role to pair as, when it differs from `role`: the CLI pairs as `ui` even when it first logs in to
   * observe, since a `ui` key may also log in as `observer` (never the other way). Default: `role`.
   */
  pairRole?: Role;
  /** Our uuid; the hub generates one when absent (read it back from client.uuid after login). */
  uuid?: string;
  /** Default 'ui'. */
  role?: Role;
  /** Delay between login attempts, ms. Default 3000. */
  retryIntervalMs?: number;
  /** Give up logging in after this many attempts in a row (default: never). */
  maxLoginAttempts?: number;
  /**
   * Default timeout of sendCommand, ms. Default 15000: a neck acks a command when it writes it, and holds
   * commands while its firmware homes (about 5 s, longer right after it boots).
   */
  ackTimeoutMs?: number;
  /** Transports socket.io-client may use; default socket.io-client's (polling, upgraded to websocket). */
  transports?: ('websocket' | 'polling')[];
  /** Give up on one login request that has not been answered after this many ms. Default 10000. */
  loginTimeoutMs?: number;
  /** First delay before reconnecting after the connection dropped, ms (socket.io's backoff). Default 1000. */
  reconnectionDelayMs?: number;
  /** Largest delay between reconnection attempts, ms. Default 5000. */
  reconnectionDelayMaxMs?: number;
  /** Renew the token this long before it expires, ms (a renewal keeps the connection). Default 1/5 of its lifetime. */
  renewBeforeMs?: number;
  /** Renew the token before it expires (default true); false leaves the hub to end the connection at expiry. */
  renewTokens?: boolean;
}

/** Reported through the 'login-retry' lifecycle event after each failed login attempt that will be retried. */
export interface LoginRetryInfo {
  reason: LoginFailureReason;
  /** What failed and when the next attempt is, e.g. "hub at URL is unreachable (ECONNREFUSED); retrying in 3 s". */
  message: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Wait before the next attempt, ms: retryIntervalMs, or longer when the hub asked us to wait (Retry-After). */
  delayMs: number;
  error: LoginError;
}

/** Reported through the 'relogin' lifecycle event when a refused token has been replaced by a new login. */
export interface ReloginInfo {
  uuid: string;
  /** The hub's refusal, e.g. "unauthorized: jwt expired; log in again". */
  reason: string;
}

export interface HubClientLifecycleEvents {
  /** On each (re)connection, once `existing-peers` has arrived (so peers() is current); the argument is our sid. */
  connected: (sid: string) => void;
  /** The connection ended; socket.io's reason, e.g. "transport close", "io client disconnect". */
  disconnected: (reason: string) => void;
  /**
   * A connection attempt failed: the hub is unreachable ("websocket error", "xhr poll error"; socket.io
   * retries with backoff) or refused the handshake ("unauthorized: …"; we log in again). Retrying either way.
   */
  'connect-error': (message: string) => void;
  /** A login attempt failed and will be retried. */
  'login-retry': (info: LoginRetryInfo) => void;
  /** The hub refused our token (expired, or signed by another hub); we logged in again and reconnect. */
  relogin: (info: ReloginInfo) => void;
  /** maxLoginAttempts ran out: the client stays disconnected until connect() is called again. */
  'login-failed': (error: LoginError) => void;
  /** The hub gave this device a key (pairing), or refused the one it had and it paired again. */
  paired: (uuid: string) => void;
  /** The token was renewed on the live connection; it now lasts `expiresIn` seconds. */
  renewed: (expiresIn: number) => void;
  /** Renewing the token failed; the connection ends when the token expires, and the client logs in again then. */
  'renew-failed': (reason: string) => void;
  /** Something the hub sent was dropped: nested too deep, too large, not plain data, or a handler of it threw. */
  'input-refused': (info: RefusedInput) => void;
}

export interface SendCommandOptions {
  /** 'broadcast' (default): `broadcast-message`, or `peer-message` with a target; 'neck_command': `neck_command`. */
  via?: 'broadcast' | 'neck_command';
  /** Sid of the one peer (neck) to send to; everyone (every neck) when absent. */
  target?: string;
  /** Ms to wait for the ack; default the client's ackTimeoutMs. */
  timeoutMs?: number;
  /**
   * Called with each ack of this command as it arrives: the first (which also resolves sendCommand) and later
   * ones from other necks (a command sent to every neck), for as long as the command is remembered (the last
   * 500 answered).
   */
  onAck?: (tracked: CommandAck) => void;
}

type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

const DEFAULTS = {
  role: 'ui',
  retryIntervalMs: 3000,
  ackTimeoutMs: 15_000,
  loginTimeoutMs: 10_000,
  reconnectionDelayMs: 1000,
  reconnectionDelayMaxMs: 5000,
} as const;

/**
 * A LocalTunnel server shows its reminder page instead of the hub to a client without this header (docs/tunnel.md);
 * a browser cannot set it on a WebSocket, and its person passes the page once instead.
 */
const TUNNEL_HEADERS = { [TUNNEL_BYPASS_HEADER]: 'neck-signal' } as const;

function isNode(): boolean {
  const runtime = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof runtime?.versions?.node === 'string';
}

/**
 * A peer of a neck-signal hub: logs in (retrying), connects with the token, logs in again when the hub
 * refuses the token, keeps the peer list, and sends commands that resolve with their neck_ack. Runs in
 * browsers and in Node ≥ 20 (global fetch, socket.io-client; nothing from Node).
 */
export class HubClient {
  private readonly baseUrl: string;
  private readonly socket: HubSocket;
  private readonly serverEvents = new TypedEmitter<ServerToClientEvents>();
  private readonly lifecycle = new TypedEmitter<HubClientLifecycleEvents>();
  private readonly knownPeers = new Map<string, PeerInfoDto>();
  private readonly commands: CommandTracker;
  private readonly waiters = new Set<Waiter>();
  /** Aborted by close(): cancels login requests and waits. */
  private readonly lifetime = new AbortController();
  private token: string | undefined;
  /** Why the hub is ending our token (TOKEN_EXPIRED, REVOKED), until the disconnect that follows. */
  private endedToken: string | undefined;
  private loggedInUuid: string | undefined;
  /** Connected and `existing-peers` received. */
  private ready = false;
  /** connect() was called and has not given up. */
  private started = false;
  private loggingIn = false;
  /** Handshake refusals since the last successful connection. */
  private refusals = 0;
  /** Commands sent by this client, for their stamp. */
  private commandSeq = 0;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  /** Trust given to hubs by URL origin (trustHub), for clients made without `options.trust`. */
  private static readonly trusted = new Map<string, HubTrust>();

  /**
   * Trusts `trust` for the hub at `url` in every client this process makes for that hub from now on, as a browser
   * keeps the exception its user made for a site. The agent's and the CLI's settings loaders call this when they
   * read the hub's certificate (NECK_HUB_CA, `hub_ca`), so every client they go on to make trusts it.
   */
  static trustHub(url: string, trust: HubTrust): void {
    HubClient.trusted.set(new URL(url.trim()).origin, trust);
  }

  private readonly trust: HubTrust | undefined;

  constructor(private readonly options: HubClientOptions) {
    checkOptions(options);
    this.commands = new CommandTracker({ timeoutMs: options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs });
    const url = new URL(options.url.trim());
    const prefix = url.pathname.replace(/\/+$/, '');
    this.baseUrl = `${url.origin}${prefix}`;
    this.trust = options.trust ?? HubClient.trusted.get(url.origin);
    this.socket = io(url.origin, {
      path: `${prefix}/socket.io`,
      autoConnect: false,
      forceNew: true,
      reconnection: true,
      reconnectionDelay: options.reconnectionDelayMs ?? DEFAULTS.reconnectionDelayMs,
      reconnectionDelayMax: options.reconnectionDelayMaxMs ?? DEFAULTS.reconnectionDelayMaxMs,
      // Read at every (re)connection, so a reconnect always presents the latest token.
      auth: (send: (auth: HandshakeAuth | Record<string, never>) => void) =>
        send(this.token === undefined ? {} : { token: this.token }),
      ...(options.transports ? { transports: options.transports } : {}),
      ...(isNode() ? { extraHeaders: TUNNEL_HEADERS } : {}),
      // engine.io-client hands `ca` to Node's TLS for both transports; browsers ignore it.
      ...(this.trust ? { ca: typeof this.trust.ca === 'string' ? this.trust.ca : [...this.trust.ca] } : {}),
    });
    this.wire(this.socket);
  }

  /**
   * In Node the token also goes in an `Authorization` header, which lets the hub take a real client while a
   * flood of unauthenticated connections fills its waiting room (browsers cannot set it on a WebSocket).
   */
  private showToken(token: string): void {
    if (!isNode()) return;
    this.socket.io.opts.extraHeaders = { ...TUNNEL_HEADERS, authorization: `Bearer ${token}` };
  }

  /** Our uuid: the one given in the options, or the one the hub generated, once logged in. */
  get uuid(): string | undefined {
    return this.loggedInUuid ?? this.options.uuid;
  }

  /** Our socket sid while connected. */
  get id(): string | undefined {
    return this.socket.connected ? this.socket.id : undefined;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The hub URL this client talks to, without a trailing slash. */
  get url(): string {
    return this.baseUrl;
  }

  /**
   * One login attempt (`POST /login`). Resolves `{token, uuid}`; rejects with a LoginError whose reason is
   * 'unreachable', 'wrong-password', 'throttled' (with retryAfterSeconds) or 'rejected'.
   */
  async login(): Promise<LoginResponseDto> {
    if (this.closed) throw new ClientClosedError('logging in');
    const uuid = this.uuid;
    const role = this.options.role ?? DEFAULTS.role;
    const common = { role, ...(uuid === undefined ? {} : { uuid }) };
    const request = (body: LoginRequestDto) =>
      requestLogin(this.baseUrl, body, {
        timeoutMs: this.options.loginTimeoutMs ?? DEFAULTS.loginTimeoutMs,
        signal: this.lifetime.signal,
        ...(this.trust ? { fetch: this.trust.fetch } : {}),
      });
    const keys = this.options.deviceKeys;
    const deviceKey = keys?.load();
    let result: LoginResponseDto | undefined;
    if (deviceKey !== undefined) {
      try {
        result = await request({ ...common, deviceKey });
      } catch (error) {
        // A refused key (revoked, another role) is forgotten; with the password the device pairs again.
        if (!(error instanceof LoginError && error.reason === 'key-refused')) throw error;
        keys?.save(undefined);
        if (this.options.password === undefined) {
          throw new LoginError(
            'key-refused',
            `${error.message}; this device has no shared password to pair again with (set PEER_SHARED_SECRET)`,
            { ...(error.status === undefined ? {} : { status: error.status }), cause: error },
          );
        }
      }
    }
    if (result === undefined) {
      if (this.options.password === undefined) {
        throw new LoginError('key-refused', 'no device key and no shared password: pair with PEER_SHARED_SECRET first');
      }
      const pairRole = this.options.pairRole ?? role;
      if (keys && pairRole !== role) {
        // Paired as one role (an operator's), logged in as a lesser one (observer) with the new key.
        const paired = await request({ ...common, role: pairRole, password: this.options.password, pair: true });
        if (paired.deviceKey === undefined) throw new LoginError('rejected', 'the hub did not pair this device');
        keys.save(paired.deviceKey);
        this.lifecycle.emit('paired', paired.uuid);
        result = await request({ ...common, uuid: paired.uuid, deviceKey: paired.deviceKey });
      } else {
        result = await request({ ...common, password: this.options.password, ...(keys ? { pair: true } : {}) });
        if (result.deviceKey !== undefined) {
          keys?.save(result.deviceKey);
          this.lifecycle.emit('paired', result.uuid);
        }
      }
    }
    this.token = result.token;
    this.loggedInUuid = result.uuid;
    this.showToken(result.token);
    this.scheduleRenewal(result.expiresIn);
    return result;
  }

  /** Before the token expires, a fresh one is presented on the same connection (no reconnect: nothing is lost). */
  private scheduleRenewal(expiresIn: number | undefined): void {
    clearTimeout(this.renewTimer);
    if (expiresIn === undefined || this.closed || this.options.renewTokens === false) return;
    const lifetimeMs = expiresIn * 1000;
    const beforeMs = Math.min(this.options.renewBeforeMs ?? lifetimeMs / 5, lifetimeMs / 2);
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(0, lifetimeMs - beforeMs));
    // In Node, a timer of its own must not keep the process alive.
    (this.renewTimer as { unref?: () => void }).unref?.();
  }

  private async renew(): Promise<void> {
    if (this.closed) return;
    try {
      const { token } = await this.login();
      if (!this.socket.connected) return;
      const result = (await this.socket
        .timeout(this.options.loginTimeoutMs ?? DEFAULTS.loginTimeoutMs)
        .emitWithAck(Events.RenewToken, { token })) as RenewTokenResultDto;
      if (result.ok) this.lifecycle.emit('renewed', result.expiresIn ?? 0);
      else this.lifecycle.emit('renew-failed', result.reason ?? 'the hub refused the new token');
    } catch (error) {
      if (this.closed) return;
      this.lifecycle.emit('renew-failed', error instanceof Error ? error.message : String(error));
      // Try again a little later: the old token still has a fifth of its life.
      this.renewTimer = setTimeout(() => void this.renew(), this.retryIntervalMs);
    }
  }

  /**
   * Logs in (every retryIntervalMs until it works, reporting each failure as 'login-retry'; a throttled
   * login waits as long as the hub asks), then connects with the token. Resolves once connected and
   * `existing-peers` has arrived; when already started, resolves at the next such moment. Rejects only when
   * maxLoginAttempts ran out (with the last LoginError) or close() was called (ClientClosedError).
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError('connecting'));
    const ready = this.ready
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => this.waiters.add({ resolve, reject }));
    if (!this.started) {
      this.started = true;
      void this.logInAndConnect();
    }
    return ready;
  }

  /** Peers connected to the hub besides us (from existing-peers / new-peer / peer-disconnect); [] while disconnected. */
  peers(): PeerInfoDto[] {
    return [...this.knownPeers.values()].map((peer) => ({ ...peer, roles: [...peer.roles] }));
  }

  /** Adds a handler for an event from the hub; returns a function that removes it. */
  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): () => void {
    return this.serverEvents.on(event, handler);
  }

  /**
   * Adds a handler for every `neck_ack` this client receives, told which of our commands it answers and its round
   * trip when it answers one: first acks, later acks of a command sent to every neck, acks without id (the
   * original Python agent) and acks of commands we did not send. Returns a function that removes it.
   */
  onCommandAck(handler: (tracked: TrackedAck) => void): () => void {
    return this.commands.onAck(handler);
  }

  /** Adds a handler for a lifecycle event of this client; returns a function that removes it. */
  onLifecycle<E extends keyof HubClientLifecycleEvents>(event: E, handler: HubClientLifecycleEvents[E]): () => void {
    return this.lifecycle.on(event, handler);
  }

  /** Emits an event to the hub; returns false (and drops it, nothing is queued) when not connected. */
  emit<E extends keyof ClientToServerEvents>(event: E, ...args: Parameters<ClientToServerEvents[E]>): boolean {
    if (!this.socket.connected) return false;
    this.socket.emit(event, ...args);
    return true;
  }

  /**
   * Sends a command with a fresh id and resolves with the first `neck_ack` carrying that id (any status) and
   * the round trip in ms; an ack without id (the original Python agent) answers the oldest pending command with
   * its text. Via 'broadcast' (default, what the seed's clients do): `broadcast-message {message, id}`, or
   * `peer-message {target, message, id}` with a target. Via 'neck_command': `neck_command {command, target?, id}`.
   *
   * Rejects with AckTimeoutError after timeoutMs; NotConnectedError when not connected or when the
   * connection drops first (the command may or may not have been written); HubError INVALID_PAYLOAD at once,
   * without sending, when the hub would refuse the payload; and HubError when the hub answers with the
   * `error-message` carrying the command's id. An error-message without id settles no command; every one
   * reaches on('error-message') handlers.
   */
  sendCommand(text: string, options: SendCommandOptions = {}): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new ClientClosedError(`sending "${text}"`));
    // Never queued for later: a command that waits out a disconnection would move the neck seconds late.
    if (!this.socket.connected) {
      return Promise.reject(
        new NotConnectedError(
          `not connected to the hub at ${this.baseUrl} right now, so "${text}" was not sent; send it again once connected`,
        ),
      );
    }
    const via = options.via ?? 'broadcast';
    const { target, timeoutMs, onAck } = options;
    return this.commands.send(text, (id) => this.emitCommand(text, via, target, id), {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(onAck === undefined ? {} : { onAck }),
    });
  }

  /**
   * `GET /` of the hub, validated, with this client's token: an operator's (role ui) answer also carries the
   * tunnel password. Rejects when the hub does not answer in ackTimeoutMs or answers something else.
   */
  async health(): Promise<HubHealthDto> {
    const headers: Record<string, string> = { accept: 'application/json', ...TUNNEL_HEADERS };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const response = await (this.trust?.fetch ?? fetch)(`${this.baseUrl}${HubPaths.Health}`, {
      headers,
      signal: AbortSignal.timeout(this.options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs),
    });
    const body: unknown = await response.json().catch(() => undefined);
    const health = validatePayload(HubHealthDto, body);
    if (!response.ok || !health.ok) {
      throw new HubClientError(
        `${this.baseUrl}${HubPaths.Health} answered ${response.status} without a hub's health` +
          (health.ok ? '' : ` (${health.message})`),
      );
    }
    return health.value;
  }

  /** Disconnects, stops login retries and reconnection, rejects pending commands and connect() calls. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearTimeout(this.renewTimer);
    this.lifetime.abort(new ClientClosedError('logging in'));
    this.commands.close(new ClientClosedError('waiting for an ack'));
    this.rejectWaiters(new ClientClosedError('connecting'));
    this.socket.disconnect();
    this.knownPeers.clear();
    this.serverEvents.removeAll();
    return Promise.resolve();
  }

  private wire(socket: HubSocket): void {
    socket.on('connect', () => {
      this.refusals = 0;
    });
    socket.on('connect_error', (error) => this.onConnectError(error));
    socket.on('disconnect', (reason) => this.onDisconnect(reason));

    // Our own bookkeeping runs first, so handlers see peers() already updated.
    socket.on(
      Events.ExistingPeers,
      this.guard(Events.ExistingPeers, (peers) => {
        this.knownPeers.clear();
        for (const peer of peers) this.knownPeers.set(peer.id, peer);
        this.serverEvents.emit(Events.ExistingPeers, peers);
        this.onReady();
      }),
    );
    socket.on(
      Events.NewPeer,
      this.guard(Events.NewPeer, (peer) => {
        this.knownPeers.set(peer.id, peer);
        this.serverEvents.emit(Events.NewPeer, peer);
      }),
    );
    socket.on(
      Events.PeerDisconnect,
      this.guard(Events.PeerDisconnect, (sid) => {
        this.knownPeers.delete(sid);
        this.serverEvents.emit(Events.PeerDisconnect, sid);
      }),
    );
    socket.on(
      Events.NeckAck,
      this.guard(Events.NeckAck, (ack) => {
        this.commands.handleAck(ack);
        this.serverEvents.emit(Events.NeckAck, ack);
      }),
    );
    socket.on(
      Events.ErrorMessage,
      this.guard(Events.ErrorMessage, (error) => {
        // The hub is about to drop us for the token itself: the next connection needs a new login, not a retry.
        if (error.code === 'TOKEN_EXPIRED' || error.code === 'REVOKED') this.endedToken = error.message;
        this.commands.handleError(error);
        this.serverEvents.emit(Events.ErrorMessage, error);
      }),
    );
    for (const event of [
      Events.PeerMessage,
      Events.NeckCommand,
      Events.NeckStatus,
      Events.NeckOutput,
      Events.RecordingsRequest,
      Events.RecordingsReply,
    ]) {
      socket.on(
        event,
        this.guard(event, (payload: unknown) => this.serverEvents.emit(event, payload as never)),
      );
    }
  }

  /** A handler of an event from the hub, guarded (guardInput): what it refuses is reported as 'input-refused'. */
  private guard<E extends keyof ServerToClientEvents>(
    event: E,
    handler: ServerToClientEvents[E],
  ): ServerToClientEvents[E] {
    return guardInput(event, handler, (refused) => this.lifecycle.emit('input-refused', refused));
  }

  private onReady(): void {
    const sid = this.socket.id;
    if (this.ready || sid === undefined) return;
    this.ready = true;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.resolve();
    this.lifecycle.emit('connected', sid);
  }

  private onDisconnect(reason: string): void {
    this.ready = false;
    this.knownPeers.clear();
    this.commands.rejectPending(
      new NotConnectedError(
        `the connection to the hub was lost (${reason}) before the ack arrived; the command may or may not have been written`,
      ),
    );
    this.lifecycle.emit('disconnected', reason);
    // socket.io reconnects by itself after a dropped transport, but not after the hub disconnected us.
    if (reason !== 'io server disconnect' || this.closed) return;
    const ended = this.endedToken;
    this.endedToken = undefined;
    if (ended === undefined) {
      this.reconnectLater();
      return;
    }
    this.token = undefined;
    void this.logInAndConnect(ended);
  }

  /**
   * After a transport error the socket stays active and socket.io retries by itself. A refusal by the hub
   * leaves it inactive: `unauthorized: …` needs a new token; any other refusal is retried after a pause.
   */
  private onConnectError(error: Error): void {
    if (this.closed) return;
    this.lifecycle.emit('connect-error', error.message);
    if (this.socket.active) return;
    if (error.message.startsWith('unauthorized')) {
      this.refusals++;
      this.token = undefined;
      void this.logInAndConnect(error.message);
      return;
    }
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.sleep(this.retryIntervalMs).then(
      () => {
        if (!this.closed && !this.socket.active) this.socket.connect();
      },
      () => undefined,
    );
  }

  /** Logs in (with retries) and connects; `refusal` is the hub's reason when this replaces a refused token. */
  private async logInAndConnect(refusal?: string): Promise<void> {
    if (this.loggingIn) return;
    this.loggingIn = true;
    try {
      // A fresh token refused again points at the hub, not the token: do not hammer it.
      if (this.refusals > 1) await this.sleep(this.retryIntervalMs);
      const { uuid } = await this.loginWithRetry();
      if (refusal !== undefined) this.lifecycle.emit('relogin', { uuid, reason: refusal });
      this.socket.connect();
    } catch (error) {
      if (this.closed) return;
      this.started = false;
      const failure = error instanceof Error ? error : new Error(String(error));
      this.rejectWaiters(failure);
      if (failure instanceof LoginError) this.lifecycle.emit('login-failed', failure);
    } finally {
      this.loggingIn = false;
    }
  }

  private async loginWithRetry(): Promise<LoginResponseDto> {
    const max = this.options.maxLoginAttempts;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.login();
      } catch (error) {
        if (!(error instanceof LoginError) || this.closed) throw error;
        if (max !== undefined && attempt >= max) {
          throw new LoginError(error.reason, `gave up logging in after ${attempt} attempts: ${error.message}`, {
            ...(error.status === undefined ? {} : { status: error.status }),
            ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
            cause: error,
          });
        }
        const asked = error.reason === 'throttled' ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
        const delayMs = Math.max(this.retryIntervalMs, asked);
        const of = max === undefined ? '' : ` of ${max}`;
        this.lifecycle.emit('login-retry', {
          reason: error.reason,
          message: `${error.message}; retrying in ${formatSeconds(delayMs)} (attempt ${attempt}${of} failed)`,
          attempt,
          delayMs,
          error,
        });
        await this.sleep(delayMs);
      }
    }
  }

  /** Emits the command with its id; throws HubError INVALID_PAYLOAD, sending nothing, when the hub would refuse it. */
  private emitCommand(text: string, via: 'broadcast' | 'neck_command', target: string | undefined, id: string): void {
    const refuse = (message: string) => new HubError('INVALID_PAYLOAD', message, id);
    // The stamp lets a neck tell a command held up on the way (see CommandStampDto).
    const stamp = { sentAt: Date.now(), seq: ++this.commandSeq };
    if (via === 'neck_command') {
      const payload = { command: text, id, ...stamp, ...(target === undefined ? {} : { target }) };
      const check = validatePayload(NeckCommandRequestDto, payload);
      if (!check.ok) throw refuse(check.message);
      this.socket.emit(Events.NeckCommand, payload);
      return;
    }
    if (target !== undefined) {
      const payload = { target, message: text, id, ...stamp };
      const check = validatePayload(PeerMessageRequestDto, payload);
      if (!check.ok) throw refuse(check.message);
      this.socket.emit(Events.PeerMessage, payload);
      return;
    }
    const payload = { message: text, id, ...stamp };
    const check = validatePayload(BroadcastMessageDto, payload);
    if (!check.ok) throw refuse(check.message);
    this.socket.emit(Events.BroadcastMessage, payload);
  }

  private rejectWaiters(error: Error): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  private get retryIntervalMs(): number {
    return this.options.retryIntervalMs ?? DEFAULTS.retryIntervalMs;
  }

  /** Resolves after `ms`; rejects with ClientClosedError as soon as close() is called. */
  private sleep(ms: number): Promise<void> {
    const signal = this.lifetime.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new ClientClosedError('waiting to retry'));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ClientClosedError('waiting to retry'));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function checkOptions(options: HubClientOptions): void {
  let url: URL | undefined;
  try {
    url = new URL(options.url.trim());
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new TypeError(`hub URL "${options.url}" is not an http(s) URL; pass one such as http://127.0.0.1:5000`);
  }
  const password = options.password;
  if (password !== undefined && (typeof password !== 'string' || password === '')) {
    throw new TypeError('the hub password is empty; pass the shared password (PEER_SHARED_SECRET)');
  }
  if (password === undefined && options.deviceKeys === undefined) {
    throw new TypeError('no shared password and no device key store: pass the shared password (PEER_SHARED_SECRET)');
  }
  const delays = [
    'retryIntervalMs',
    'ackTimeoutMs',
    'loginTimeoutMs',
    'reconnectionDelayMs',
    'reconnectionDelayMaxMs',
  ] as const;
  for (const key of delays) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${key} must be a number of milliseconds ≥ 0, got ${value}`);
    }
  }
  const max = options.maxLoginAttempts;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) {
    throw new RangeError(`maxLoginAttempts must be a whole number ≥ 1, got ${max}`);
  }
}
