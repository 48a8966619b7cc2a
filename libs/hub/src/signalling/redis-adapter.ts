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

/**
 * Socket.IO's Redis adapter on two connections (publish, subscribe): hubs sharing one Redis share peers,
 * rooms, broadcasts and directed messages. Fails with a readable message when Redis cannot be reached.
 */
export async function connectRedisAdapter(url: string): Promise<RedisLink> {
  const logger = new Logger('RedisAdapter');
  const pub = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: retryDelay } });
  const sub = pub.duplicate();
  let ready = false;
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => {
      if (ready) logger.warn(`redis: ${error.message}; reconnecting`);
    });
  }
  const closeAll = async () => {
    await Promise.allSettled([pub, sub].filter((client) => client.isOpen).map((client) => client.close()));
  };
  // At start-up the first error is final (the hub should say so, not retry quietly); later ones reconnect.
  const firstError = new Promise<never>((_, reject) => {
    pub.once('error', reject);
    sub.once('error', reject);
  });
  try {
    await withTimeout(Promise.race([Promise.all([pub.connect(), sub.connect()]), firstError]), CONNECT_TIMEOUT_MS);
  } catch (error) {
    await closeAll();
    pub.destroy();
    sub.destroy();
    throw new Error(
      `cannot connect to Redis at ${redactUrl(url)} (${(error as Error).message}); start redis-server or drop --redis`,
    );
  }
  ready = true;
  logger.log(`sharing peers through Redis at ${redactUrl(url)}`);
  return { adapter: createAdapter(pub, sub), close: closeAll };
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
