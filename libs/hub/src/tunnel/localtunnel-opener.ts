import type { EventEmitter } from 'node:events';
import type localtunnel from 'localtunnel';

/** An open tunnel. It emits 'error' when a tunnel connection fails and 'close' once closed. */
export interface OpenTunnel extends EventEmitter {
  /** The public URL the tunnel server assigned. */
  readonly url: string;
  close(): void;
}

export interface TunnelOpenOptions {
  /** Local TCP port the tunnel forwards to. */
  readonly port: number;
  /** Local address the tunnel connects to, e.g. 127.0.0.1. */
  readonly localHost: string;
  /** Subdomain to ask for; a random one when absent. */
  readonly subdomain?: string;
  /** Tunnel server base URL, e.g. https://localtunnel.me. */
  readonly host: string;
  /** Ends the request for a tunnel (its time limit, or shutdown). */
  readonly signal: AbortSignal;
}

/** Asks a LocalTunnel server for a tunnel and connects it; rejects when that fails. */
export type TunnelOpener = (options: TunnelOpenOptions) => Promise<OpenTunnel>;

/** Injection token of the TunnelOpener; the default is openLocalTunnel. */
export const TUNNEL_OPENER = Symbol('TUNNEL_OPENER');

export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

/** Most tunnel connections we open, whatever the server offers (localtunnel.me offers 10). */
const MAX_CONNECTIONS = 10;

/** The tunnel server's answer to GET /?new or GET /<subdomain>. */
interface TunnelAnswer {
  id: string;
  port: number;
  max_conn_count: number;
  url: string;
  ip?: string;
  cached_url?: string;
}

type LocalTunnelOptions = localtunnel.TunnelConfig & { port: number };

/** localtunnel's Tunnel class (lib/Tunnel.js), including the two internals we build on. */
interface LocalTunnelInstance extends OpenTunnel {
  open(callback: (error?: Error) => void): void;
  /** Asks the server for a tunnel. localtunnel's own retries every second, forever, with no time limit. */
  _init(callback: (error: Error | null, info?: unknown) => void): void;
  /** Turns the server's answer into TunnelCluster options. */
  _getInfo(answer: TunnelAnswer): unknown;
}

// The package's typings cover only its entry point; lib/Tunnel is the class that entry point instantiates.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const LocalTunnel = require('localtunnel/lib/Tunnel') as new (options: LocalTunnelOptions) => LocalTunnelInstance;

/** localtunnel's Tunnel, handed the server's answer we already fetched instead of fetching it itself. */
class AnsweredTunnel extends LocalTunnel {
  constructor(
    options: LocalTunnelOptions,
    private readonly answer: TunnelAnswer,
  ) {
    super(options);
  }

  override _init(callback: (error: Error | null, info?: unknown) => void): void {
    callback(null, this._getInfo(this.answer));
  }
}

/**
 * Opens a tunnel with the `localtunnel` package. The request for a tunnel is ours (one attempt, bounded by
 * `signal`, errors reported) because localtunnel's retries unreachable servers and error answers every second
 * forever, cannot be cancelled and never fails; the tunnel connections are localtunnel's own.
 */
export async function openLocalTunnel(options: TunnelOpenOptions): Promise<OpenTunnel> {
  const answer = await requestTunnel(options);
  options.signal.throwIfAborted();
  const tunnel = new AnsweredTunnel(
    {
      port: options.port,
      local_host: options.localHost,
      subdomain: options.subdomain,
      host: options.host,
    },
    answer,
  );
  // localtunnel re-emits a refused tunnel connection as 'error' on the tunnel, also after close(); an 'error'
  // event without a listener is thrown and would end the process.
  tunnel.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => tunnel.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    tunnel.close();
    throw error;
  }
  return tunnel;
}

async function requestTunnel(options: TunnelOpenOptions): Promise<TunnelAnswer> {
  const base = options.host.replace(/\/+$/, '');
  const path = options.subdomain === undefined ? '?new' : encodeURIComponent(options.subdomain);
  const response = await fetch(`${base}/${path}`, { signal: options.signal, headers: { accept: 'application/json' } });
  const text = await response.text();
  const body = parseJson(text);
  if (response.status !== 200) {
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : text;
    throw new Error(`the tunnel server answered ${response.status}${message ? `: ${message.slice(0, 200)}` : ''}`);
  }
  return parseAnswer(body);
}

function parseAnswer(body: unknown): TunnelAnswer {
  if (!isRecord(body)) throw new Error('the tunnel server answered without a JSON object');
  const { id, port, max_conn_count: maxConnCount, url, ip, cached_url: cachedUrl } = body;
  if (typeof id !== 'string') throw new Error('the tunnel server answered without an id');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`the tunnel server answered an invalid port (${String(port)})`);
  }
  if (typeof url !== 'string' || !/^https?:\/\/[^/\s]+/.test(url)) {
    throw new Error(`the tunnel server answered an invalid url (${String(url)})`);
  }
  const connections =
    typeof maxConnCount === 'number' && Number.isInteger(maxConnCount) && maxConnCount > 0
      ? Math.min(maxConnCount, MAX_CONNECTIONS)
      : 1;
  return {
    id,
    port,
    max_conn_count: connections,
    url,
    ip: typeof ip === 'string' && ip !== '' ? ip : undefined,
    cached_url: typeof cachedUrl === 'string' ? cachedUrl : undefined,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
