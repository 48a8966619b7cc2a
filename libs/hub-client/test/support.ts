import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ServerToClientEvents } from '@neck-signal/protocol';
import type { HubClient, HubClientLifecycleEvents } from '../src';

/** A TCP port that was free a moment ago: listen on 0, note the port, close. Nothing listens on it now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** A TCP relay in front of a hub, so a test can cut every connection as a network blip would. */
export class TcpProxy {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const server = createServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      for (const [from, to] of [
        [inbound, outbound],
        [outbound, inbound],
      ]) {
        sockets.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          sockets.delete(from);
          to.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no port');
    return new TcpProxy(server, sockets, address.port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every open connection (both sides); new connections are still relayed. */
  drop(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The arguments of the next lifecycle `event` of the client, or a rejection after `timeoutMs`. */
export function nextLifecycle<E extends keyof HubClientLifecycleEvents>(
  client: HubClient,
  event: E,
  timeoutMs = 5_000,
  accept: (...args: Parameters<HubClientLifecycleEvents[E]>) => boolean = () => true,
): Promise<Parameters<HubClientLifecycleEvents[E]>> {
  return settleQuietly(
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${event} within ${timeoutMs} ms`));
      }, timeoutMs).unref();
      const listener = (...args: Parameters<HubClientLifecycleEvents[E]>) => {
        if (!accept(...args)) return;
        clearTimeout(timer);
        off();
        resolve(args);
      };
      const off = client.onLifecycle(event, listener as HubClientLifecycleEvents[E]);
    }),
  );
}

/** The first argument of the next hub `event` the client receives, or a rejection after `timeoutMs`. */
export function nextHubEvent<E extends keyof ServerToClientEvents>(
  client: HubClient,
  event: E,
  timeoutMs = 5_000,
  accept: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return settleQuietly(
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${event} within ${timeoutMs} ms`));
      }, timeoutMs).unref();
      const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
        if (!accept(payload)) return;
        clearTimeout(timer);
        off();
        resolve(payload);
      };
      const off = client.on(event, listener);
    }),
  );
}

/**
 * A wait a test may abandon when an earlier assertion fails: its rejection is not reported as unhandled
 * (whoever awaits it still gets it), and its timer does not keep the process alive.
 */
function settleQuietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
