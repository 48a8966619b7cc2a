import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';
import { withTimeout } from '@neck-signal/program-kit';

export interface RedisLink {
  adapter: NonNullable<ServerOptions['adapter']>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

export type RedisClient = ReturnType<typeof createClient>;

/** A Redis client that reconnects (backing off up to 5 s) after it has connected once. */
export function createRedisClient(url: string): RedisClient {
  return createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: retryDelay } });
}

/**
 * Connects the clients. At start-up the first error is final (the hub should say so, not retry quietly): it
 * rejects with a message that says what to do; later errors are logged and the clients reconnect.
 */
export async function connectRedisClients(url: string, clients: RedisClient[], logger: Logger): Promise<void> {
  let ready = false;
  for (const client of clients) {
    client.on('error', (error: Error) => {
      if (ready) logger.warn(`redis: ${error.message}; reconnecting`);
    });
  }
  const firstError = new Promise<never>((_, reject) => {
    for (const client of clients) client.once('error', reject);
  });
  try {
    await withTimeout(
      Promise.race([Promise.all(clients.map((client) => client.connect())), firstError]),
      CONNECT_TIMEOUT_MS,
    );
  } catch (error) {
    await closeRedisClients(clients);
    for (const client of clients) client.destroy();
    throw new Error(
      `cannot connect to Redis at ${redactUrl(url)} (${(error as Error).message}); start redis-server or drop --redis`,
    );
  }
  ready = true;
}

export async function closeRedisClients(clients: RedisClient[]): Promise<void> {
  await Promise.allSettled(clients.filter((client) => client.isOpen).map((client) => client.close()));
}

/**
 * Socket.IO's Redis adapter on two connections (publish, subscribe): hubs sharing one Redis share peers,
 * rooms, broadcasts and directed messages. Fails with a readable message when Redis cannot be reached.
 */
export async function connectRedisAdapter(url: string): Promise<RedisLink> {
  const logger = new Logger('RedisAdapter');
  const pub = createRedisClient(url);
  const sub = pub.duplicate();
  await connectRedisClients(url, [pub, sub], logger);
  logger.log(`sharing peers through Redis at ${redactUrl(url)}`);
  return { adapter: createAdapter(pub, sub), close: () => closeRedisClients([pub, sub]) };
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
