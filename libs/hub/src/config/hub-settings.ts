import type { ServingCertificate } from '@neck-signal/program-kit';

/** Everything the hub runs with, resolved once at start-up from flags, env, .env and hub.json. */
export class HubSettings {
  /** Directory of hub.json and .env. */
  readonly configDir!: string;
  /** TCP port; 0 picks a free one. Default 5000. */
  readonly port!: number;
  /** Address to bind. Default 0.0.0.0. */
  readonly host!: string;
  /** Allowed origins for HTTP and Socket.IO: '*' or a list. */
  readonly corsOrigins!: '*' | string[];
  /** Redis URL for sharing peers between hubs, if any. */
  readonly redisUrl?: string;
  /** With --https: the certificate to serve (made in the config dir); plain http when absent. */
  readonly https?: ServingCertificate;
  readonly auth!: AuthSettings;
  readonly socket!: SocketSettings;
  readonly tunnel!: TunnelSettings;

  constructor(values: HubSettings) {
    Object.assign(this, values);
  }
}

export interface AuthSettings {
  /** The shared password (PEER_SHARED_SECRET). */
  readonly sharedSecret: string;
  /** HS256 key (JWT_SECRET), at least 32 bytes. */
  readonly jwtSecret: string;
  /** Token lifetime in seconds; also the longest a token this hub accepts may last. Default 12 h. */
  readonly tokenLifetimeSeconds: number;
  readonly issuer: string;
  readonly audience: string;
  /** Wrong passwords one client identity (uuid, else address) may send before it must wait. Default 5. */
  readonly maxFailedLogins: number;
  /** An identity's failures are forgotten after this long without one, s. Default 900. */
  readonly failedLoginWindowSeconds: number;
  /** Wrong passwords a minute across the whole hub before every password login waits (an attack). Default 300. */
  readonly maxFailedLoginsPerMinute: number;
  /** Distinct uuids that may hold device keys; pairing a new one past it is refused. Default 1000. */
  readonly maxPairedDevices?: number;
}

export interface SocketSettings {
  /** Largest Socket.IO message in bytes; a bigger one drops the connection. Default 16 KiB. */
  readonly maxPayloadBytes: number;
  /** Messages each identity (all sockets of one uuid) may send per second; more get RATE_LIMITED. Default 300. */
  readonly messagesPerSecond: number;
  /** A connection that has not authenticated within this long is closed, ms. Default 3000. */
  readonly handshakeTimeoutMs: number;
  /** Connections not yet authenticated at once; more are refused with 503. Default 1000. */
  readonly maxUnauthenticated: number;
  /** Sockets one uuid may hold at once, on every hub; the next is refused at the handshake. Default 16. */
  readonly maxSocketsPerUuid?: number;
}

export interface TunnelSettings {
  /** False with --no-tunnel or `"tunnel": false` in hub.json. */
  readonly enabled: boolean;
  /** LocalTunnel subdomain to ask for; a random one when absent. */
  readonly subdomain?: string;
  /** LocalTunnel server. Default https://localtunnel.me. */
  readonly host?: string;
  /** Heartbeat period in ms. Default 60 000. */
  readonly heartbeatIntervalMs: number;
  /** Heartbeat request timeout in ms. Default 5 000. */
  readonly heartbeatTimeoutMs: number;
  /** Failed heartbeats in a row before the tunnel is restarted. Default 5. */
  readonly maxHeartbeatFailures: number;
  /** First and largest delay between attempts to open the tunnel, in ms. Default 5 000 and 300 000. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

/** Defaults of the caps per identity (docs/security.md). */
export const DEFAULT_MAX_SOCKETS_PER_UUID = 16;
export const DEFAULT_MAX_PAIRED_DEVICES = 1000;

export const TOKEN_ISSUER = 'neck-signal-hub';
export const TOKEN_AUDIENCE = 'neck-signal';
