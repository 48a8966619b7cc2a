import { once } from 'node:events';
import { createServer as createHttpServer, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { Gate, PublicConnection } from './public-connection';
import { TunnelReminder } from './tunnel-reminder';

const HOST = '127.0.0.1';

/** How long a public connection waits for an idle tunnel connection before it is dropped, in ms. */
const WAIT_FOR_TUNNEL_MS = 2_000;

/** A tunnel as the fake server handed it out. */
export interface FakeTunnel {
  readonly id: string;
  /** The public URL, http://127.0.0.1:<publicPort>. */
  readonly url: string;
  /** The port the client opens its tunnel connections to. */
  readonly port: number;
  /** Its tunnel password: the IP the request for it came from (the tunnel client's public IP, to the real service). */
  readonly password: string;
}

interface WaitingConnection {
  readonly socket: Socket;
  join(tunnel: Socket): void;
}

interface TunnelRecord extends FakeTunnel {
  readonly agentServer: TcpServer;
  readonly publicServer: TcpServer;
  /** Tunnel connections from the client waiting for a public connection. */
  readonly idle: Socket[];
  /** Public connections waiting for a tunnel connection, and how to join them to one. */
  readonly waiting: WaitingConnection[];
}

export interface FakeLocalTunnelOptions {
  /** Control port to listen on; 0 (default) picks a free one, kept across restarts. */
  port?: number;
  /** max_conn_count in the answer. Default 2. */
  maxConnCount?: number;
  /**
   * Who meets the reminder page (without the bypass header, before entering the tunnel password): 'browsers'
   * (default: browser user agents, as loca.lt does), 'everyone' (a stricter server: proves a client sends the
   * header), or 'nobody'.
   */
  reminder?: 'browsers' | 'everyone' | 'nobody';
  /** The reminder's clock (ms), for its 7 days; default Date.now. */
  clock?: () => number;
  /**
   * Whether GET /mytunnelpassword answers the caller's IP, as loca.lt does (default). Without it the path is a
   * request for a tunnel named "mytunnelpassword", as on a self-hosted localtunnel/server.
   */
  passwordPage?: boolean;
}

/**
 * A loopback server speaking the LocalTunnel protocol: GET `/?new` or `/<subdomain>` opens a TCP listener for
 * the client's tunnel connections and a public TCP listener, and answers `{id, port, max_conn_count, url}`.
 * Each public connection is joined to an idle tunnel connection, as the real server does: responses flow back raw,
 * and each request may first meet the "friendly reminder" page (see TunnelReminder and PublicConnection).
 * GET `/mytunnelpassword` answers the caller's IP, as loca.lt's does. Unlike the real server (a proxy that lends a
 * tunnel connection to one request at a time), a public connection keeps its tunnel connection until it closes:
 * a browser's keep-alive connections each hold one.
 */
export class FakeLocalTunnelServer {
  /** Tunnels handed out, across restarts. */
  tunnelsRequested = 0;
  /** Every request for a tunnel the control server received (its path), across restarts. */
  readonly requestedPaths: string[] = [];
  /** Requests for `/mytunnelpassword`, across restarts. */
  passwordRequests = 0;
  /** Requests on public connections that carried the `bypass-tunnel-reminder` header, and those without. */
  readonly bypassed = { with: 0, without: 0 };
  readonly reminder: TunnelReminder | undefined;

  private controlPort: number;
  private control: HttpServer | undefined;
  private records: TunnelRecord[] = [];
  private readonly sockets = new Set<Socket>();
  /** Tunnel connections from clients, idle or joined. */
  private readonly agentSockets = new Set<Socket>();
  /** Public connections joined to a tunnel connection, to break them on demand. */
  private readonly joined = new Set<Socket>();
  private publicBroken = false;
  private failures: { status: number; message: string }[] = [];
  private counter = 0;
  /** Bumped by stop(), so a tunnel still being set up then is closed instead of kept. */
  private generation = 0;
  private readonly maxConnCount: number;
  private readonly passwordPage: boolean;
  private readonly changeListeners = new Set<() => void>();

  constructor(options: FakeLocalTunnelOptions = {}) {
    this.controlPort = options.port ?? 0;
    this.maxConnCount = options.maxConnCount ?? 2;
    this.passwordPage = options.passwordPage ?? true;
    const reminder = options.reminder ?? 'browsers';
    this.reminder = reminder === 'nobody' ? undefined : new TunnelReminder(reminder === 'everyone', options.clock);
  }

  /** The control server's URL: the hub's tunnel host. */
  get url(): string {
    if (this.controlPort === 0) throw new Error('FakeLocalTunnelServer: call start() first');
    return `http://${HOST}:${this.controlPort}`;
  }

  /** The tunnels handed out since the last start, oldest first. */
  get tunnels(): readonly FakeTunnel[] {
    return this.records.map(({ id, url, port, password }) => ({ id, url, port, password }));
  }

  /** The newest tunnel since the last start. */
  get latest(): FakeTunnel | undefined {
    return this.tunnels.at(-1);
  }

  /** Open tunnel connections from clients (idle or joined to a public connection). */
  tunnelConnections(): number {
    return this.agentSockets.size;
  }

  /**
   * Calls `listener` after each change a test may wait for: a request, a tunnel handed out, a tunnel connection
   * opened or closed, a stop; returns a function that unsubscribes.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Listens (again) on the control port: a restart keeps the URL the hub was configured with. */
  async start(): Promise<void> {
    if (this.control) throw new Error('FakeLocalTunnelServer: already started');
    const server = createHttpServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => this.track(socket));
    server.listen(this.controlPort, HOST);
    await once(server, 'listening');
    this.control = server;
    this.controlPort = (server.address() as AddressInfo).port;
  }

  /** Closes everything and destroys every connection, as a server that died would. */
  async stop(): Promise<void> {
    const servers = [this.control, ...this.records.flatMap((record) => [record.agentServer, record.publicServer])];
    this.control = undefined;
    this.generation++;
    this.records = [];
    this.joined.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.agentSockets.clear();
    this.changed();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server?.listening) return resolve();
            server.close(() => resolve());
          }),
      ),
    );
  }

  /** Public connections fail from now on (open ones are cut, new ones dropped); the control server still works. */
  breakPublic(): void {
    this.publicBroken = true;
    for (const socket of this.joined) socket.destroy();
    for (const record of this.records) for (const { socket } of record.waiting.splice(0)) socket.destroy();
  }

  healPublic(): void {
    this.publicBroken = false;
  }

  /** The next `count` requests for a tunnel get an error answer. */
  failNextRequests(count: number, status = 503, message = 'no capacity, try again later'): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, message });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '/';
    const caller = request.socket.remoteAddress ?? '';
    if (this.passwordPage && request.method === 'GET' && path === '/mytunnelpassword') {
      this.passwordRequests++;
      this.changed();
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(plainIp(caller));
      return;
    }
    this.requestedPaths.push(path);
    this.changed();
    const failure = this.failures.shift();
    if (failure) return answer(response, failure.status, { message: failure.message });
    if (request.method !== 'GET') return answer(response, 405, { message: 'GET only' });
    const { pathname, searchParams } = new URL(path, this.url);
    let id: string;
    if (pathname === '/' && searchParams.has('new')) {
      id = `fake${++this.counter}`;
    } else if (/^\/[a-z0-9][a-z0-9-]{2,62}$/.test(pathname)) {
      id = pathname.slice(1);
      this.closeTunnel(id);
    } else {
      return answer(response, 403, { message: 'Invalid subdomain' });
    }
    this.openTunnel(id, plainIp(caller)).then(
      (record) => {
        this.tunnelsRequested++;
        answer(response, 200, { id, port: record.port, max_conn_count: this.maxConnCount, url: record.url });
        this.changed();
      },
      (error: unknown) => answer(response, 500, { message: String(error) }),
    );
  }

  private async openTunnel(id: string, password: string): Promise<TunnelRecord> {
    const generation = this.generation;
    const idle: Socket[] = [];
    const waiting: WaitingConnection[] = [];
    const agentServer = createTcpServer((socket) => {
      this.track(socket);
      this.agentSockets.add(socket);
      this.changed();
      socket.once('close', () => {
        if (this.agentSockets.delete(socket)) this.changed();
      });
      const pub = waiting.shift();
      if (pub) return pub.join(socket);
      idle.push(socket);
      socket.once('close', () => remove(idle, socket));
    });
    const publicServer = createTcpServer((socket) => {
      this.track(socket);
      if (this.publicBroken) {
        socket.destroy();
        return;
      }
      const connection = new PublicConnection(socket, this.gate(socket, id, password));
      void connection.first().then((first) => {
        if (first === undefined || socket.destroyed) return;
        const join = (tunnel: Socket) => this.join(socket, tunnel, () => connection.carry(tunnel, first));
        const tunnel = idle.shift();
        if (tunnel) return join(tunnel);
        waiting.push({ socket, join });
        socket.once('close', () => removeWaiting(waiting, socket));
        setTimeout(() => {
          if (waiting.some((entry) => entry.socket === socket)) socket.destroy();
        }, WAIT_FOR_TUNNEL_MS).unref();
      });
    });
    const [port, publicPort] = await Promise.all([listen(agentServer), listen(publicServer)]);
    if (generation !== this.generation) {
      agentServer.close();
      publicServer.close();
      throw new Error('the server stopped');
    }
    const record: TunnelRecord = {
      id,
      url: `http://${HOST}:${publicPort}`,
      port,
      password,
      agentServer,
      publicServer,
      idle,
      waiting,
    };
    this.records.push(record);
    return record;
  }

  /** The gate of a public connection: counts the bypass header, and shows the reminder to whom must see it. */
  private gate(pub: Socket, id: string, password: string): Gate {
    return async (head, body) => {
      if (head.headers.has('bypass-tunnel-reminder')) this.bypassed.with++;
      else this.bypassed.without++;
      const visitor = plainIp(pub.remoteAddress ?? '');
      if (!this.reminder?.gates(id, visitor, head)) return false;
      const bytes = await body();
      if (bytes === undefined) pub.destroy();
      else this.reminder.answer(pub, id, visitor, password, head, bytes);
      this.changed();
      return true;
    };
  }

  /** A second request for the same subdomain replaces the tunnel, as the real server does. */
  private closeTunnel(id: string): void {
    for (const record of this.records.filter((candidate) => candidate.id === id)) {
      record.agentServer.close();
      record.publicServer.close();
      for (const socket of [...record.idle, ...record.waiting.map((entry) => entry.socket)]) socket.destroy();
    }
    this.records = this.records.filter((record) => record.id !== id);
  }

  /** Joins a public connection to a tunnel connection: responses flow raw, requests as `carry` hands them on. */
  private join(pub: Socket, tunnel: Socket, carry: () => Promise<void>): void {
    this.joined.add(pub);
    tunnel.pipe(pub);
    void carry();
    const end = () => {
      this.joined.delete(pub);
      pub.destroy();
      tunnel.destroy();
    };
    pub.once('close', end);
    tunnel.once('close', end);
  }

  private changed(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** `::ffff:127.0.0.1` as `127.0.0.1`. */
function plainIp(address: string): string {
  return address.replace(/^::ffff:/, '');
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function listen(server: TcpServer): Promise<number> {
  server.listen(0, HOST);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function removeWaiting(list: WaitingConnection[], socket: Socket): void {
  const index = list.findIndex((entry) => entry.socket === socket);
  if (index >= 0) list.splice(index, 1);
}

function remove(list: Socket[], socket: Socket): void {
  const index = list.indexOf(socket);
  if (index >= 0) list.splice(index, 1);
}
