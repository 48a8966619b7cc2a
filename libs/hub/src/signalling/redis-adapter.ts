import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';
import type { RedisHealth } from './redis-health';

export interface RedisLink {
  adapter: NonNullable<ServerOptions['adapter']>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A Redis client that connects and reconnects for as long as the hub runs (backing off up to 5 s). With
 * `failFast`, a command sent while Redis is away fails at once instead of waiting in the client's queue: a pose
 * for another hub's neck, or a device-key check, is worth nothing 30 s late.
 */
export function createRedisClient(url: string, failFast: boolean): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: failFast,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: retryDelay },
  });
}

/**
 * Starts connecting the clients, watched by `health` (which logs outages and keeps their error listeners), and
 * returns at once: Redis absent at start is an outage like any other, and the hub serves its own peers meanwhile.
 */
export function connectRedisClients(
  url: string,
  clients: Record<string, RedisClient>,
  health: RedisHealth,
  logger: Logger,
): void {
  for (const [name, client] of Object.entries(clients)) {
    health.watch(name, client, url);
    client.connect().catch((error: unknown) => {
      logger.error(`redis ${name}: gave up connecting (${error instanceof Error ? error.message : String(error)})`);
    });
  }
}

/** Closes the clients: politely when connected, at once (ending their retries) when not. */
export async function closeRedisClients(clients: RedisClient[]): Promise<void> {
  await Promise.allSettled(
    clients.map(async (client) => {
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    }),
  );
}

/**
 * Makes the promises of these methods handled: the Redis adapter calls `publish` and `subscribe` without
 * awaiting them, so a command refused while Redis is away (or timed out when it vanished) would be an unhandled
 * rejection, which ends a Node process. The failure is counted by RedisHealth through the client's own events;
 * a caller that awaits the promise still gets the rejection.
 */
function handleRejections(client: RedisClient, methods: readonly string[]): void {
  const target = client as unknown as Record<string, unknown>;
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]): unknown => {
      const result: unknown = Reflect.apply(original, client, args);
      if (result instanceof Promise) result.catch(() => undefined);
      return result;
    };
  }
}

const ADAPTER_METHODS = [
  'publish',
  'sPublish',
  'subscribe',
  'pSubscribe',
  'sSubscribe',
  'unsubscribe',
  'pUnsubscribe',
  'sUnsubscribe',
  'sendCommand',
] as const;

/**
 * Socket.IO's Redis adapter on two connections (publish, subscribe): hubs sharing one Redis share peers,
 * rooms, broadcasts and directed messages. The publisher fails fast while Redis is away (what it would carry is
 * dropped, not delivered late); the subscriber queues its subscriptions until it connects.
 */
export function connectRedisAdapter(url: string, health: RedisHealth): RedisLink {
  const logger = new Logger('RedisAdapter');
  const pub = createRedisClient(url, true);
  const sub = createRedisClient(url, false);
  handleRejections(pub, ADAPTER_METHODS);
  handleRejections(sub, ADAPTER_METHODS);
  connectRedisClients(url, { publisher: pub, subscriber: sub }, health, logger);
  logger.log(`sharing peers through Redis at ${redactUrl(url)}`);
  return {
    adapter: createAdapter(pub, sub),
    close: async () => {
      health.forget('publisher');
      health.forget('subscriber');
      await closeRedisClients([pub, sub]);
    },
  };
}

function retryDelay(retries: number): number {
  return Math.min(100 * 2 ** retries, 5_000);
}

/** The URL without a password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}
