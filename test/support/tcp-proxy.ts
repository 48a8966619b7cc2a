import { once } from 'node:events';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, for an operator's link that goes bad: `blackHole()` stops
 * carrying bytes both ways (they wait in the kernel's buffers, as on a link whose packets are lost and resent)
 * until `restore()`, when they all arrive at once. Nothing is closed, so neither end notices.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private holding = false;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => proxy.relay(client, targetPort));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** From now on no byte crosses, either way. */
  blackHole(): void {
    this.holding = true;
    for (const pair of this.pairs) hold(pair);
  }

  /** Bytes cross again, the held ones first. */
  restore(): void {
    this.holding = false;
    for (const [client, upstream] of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    if (this.holding) hold(pair);
    else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }
}

/** Unpiped and paused: a paused stream that is still piped can be resumed by its destination's 'drain'. */
function hold([client, upstream]: [Socket, Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
