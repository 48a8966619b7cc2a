import { Controller, Get, Headers, INestApplication, Injectable, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HubConfigModule,
  HubSettings,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TunnelModule,
  TunnelService,
  TunnelSettings,
} from '@neck-signal/hub';
import { FakeLocalTunnelServer } from './support/fake-localtunnel';
import { CONSENT_MS, REMINDER_FORM_PATH } from './support/tunnel-reminder';

/** Something a test can wait on: it calls its listeners after each change; `onChange` returns the unsubscribe. */
interface Changes {
  onChange(listener: () => void): () => void;
}

/** Listeners to call after each change, for the recorders below. */
class ChangeListeners implements Changes {
  private readonly listeners = new Set<() => void>();

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Remembers the bypass header of every request the app answered. */
@Injectable()
class SeenRequests extends ChangeListeners {
  readonly bypassHeaders: (string | undefined)[] = [];

  record(bypass: string | undefined): void {
    this.bypassHeaders.push(bypass);
    this.changed();
  }
}

@Controller()
class PingController {
  constructor(private readonly seen: SeenRequests) {}

  @Get()
  ping(@Headers('bypass-tunnel-reminder') bypass?: string): { pong: true } {
    this.seen.record(bypass);
    return { pong: true };
  }
}

/** Keeps every Nest log line, prints none; its listeners hear of each line. */
class RecordingLogger extends ChangeListeners implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];

  log(message: unknown): void {
    this.record('log', message);
  }
  warn(message: unknown): void {
    this.record('warn', message);
  }
  error(message: unknown): void {
    this.record('error', message);
  }
  debug(message: unknown): void {
    this.record('debug', message);
  }
  verbose(message: unknown): void {
    this.record('verbose', message);
  }
  fatal(message: unknown): void {
    this.record('fatal', message);
  }

  matching(pattern: RegExp): string[] {
    return this.lines.map((line) => line.message).filter((message) => pattern.test(message));
  }

  private record(level: string, message: unknown): void {
    this.lines.push({ level, message: String(message) });
    this.changed();
  }
}

interface Hub {
  app: INestApplication;
  tunnel: TunnelService;
  seen: SeenRequests;
  logs: RecordingLogger;
  localUrl: string;
  configDir: string;
}

const BYPASS = { 'bypass-tunnel-reminder': '1' };
/** A desktop Chrome's user agent, as loca.lt's reminder page sees it. */
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/**
 * Resolves once `condition` holds: checked now and after each change one of `sources` reports (the tunnel
 * service logs every change of its state); fails with `what` after timeoutMs.
 */
function until(what: string, condition: () => boolean, sources: Changes[], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const stops = sources.map((source) =>
      source.onChange(() => {
        if (!condition()) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }),
    );
    const unsubscribe = () => stops.forEach((stop) => stop());
  });
}

/** Resolves once the hub's tunnel is open: it logs the public URL as it opens. */
function opened(hub: Hub): Promise<void> {
  return until('the tunnel to open', () => hub.tunnel.status().state === 'open', [hub.logs]);
}

async function answersPong(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { headers: BYPASS, signal: AbortSignal.timeout(3_000) });
    return response.status === 200 && JSON.stringify(await response.json()) === JSON.stringify({ pong: true });
  } catch {
    return false;
  }
}

function storedDomain(configDir: string): unknown {
  const file = JSON.parse(readFileSync(join(configDir, 'hub.json'), 'utf8')) as Record<string, unknown>;
  return file.localtunnel_domain;
}

/** A port nothing listens on (just released). */
async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('TunnelService against a loopback localtunnel server', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startFake(fake = new FakeLocalTunnelServer()): Promise<FakeLocalTunnelServer> {
    await fake.start();
    cleanups.push(() => fake.stop());
    return fake;
  }

  async function startHub(tunnelHost: string, tunnel: Partial<TunnelSettings> = {}): Promise<Hub> {
    const configDir = mkdtempSync(join(tmpdir(), 'neck-tunnel-'));
    cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
    const settings = new HubSettings({
      configDir,
      port: 0,
      host: '127.0.0.1',
      corsOrigins: '*',
      auth: {
        sharedSecret: 'not-used-by-these-tests',
        jwtSecret: 'x'.repeat(32),
        tokenLifetimeSeconds: 3600,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        maxFailedLogins: 5,
        failedLoginWindowSeconds: 900,
        maxFailedLoginsPerMinute: 300,
      },
      socket: {
        maxPayloadBytes: 16 * 1024,
        messagesPerSecond: 300,
        handshakeTimeoutMs: 3000,
        maxUnauthenticated: 1000,
      },
      tunnel: {
        enabled: true,
        host: tunnelHost,
        heartbeatIntervalMs: 200,
        heartbeatTimeoutMs: 500,
        maxHeartbeatFailures: 5,
        retryMinMs: 100,
        retryMaxMs: 1_000,
        ...tunnel,
      },
    });
    const logs = new RecordingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [HubConfigModule.forRoot(settings), TunnelModule],
      controllers: [PingController],
      providers: [SeenRequests],
    })
      .setLogger(logs)
      .compile();
    const app = moduleRef.createNestApplication({ logger: logs });
    await app.listen(0, '127.0.0.1');
    cleanups.push(() => app.close());
    const localUrl = await app.getUrl();
    const service = app.get(TunnelService);
    service.start(Number(new URL(localUrl).port));
    return { app, tunnel: service, seen: app.get(SeenRequests), logs, localUrl, configDir };
  }

  it('gets a public URL, logs it once and stores it as localtunnel_domain in hub.json', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);

    await opened(hub);

    const url = fake.latest?.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.requestedPaths).toEqual(['/?new']);
    expect(hub.tunnel.status()).toEqual({ state: 'open', url, consecutiveFailures: 0, lastError: null });
    expect(hub.logs.matching(/public URL/)).toEqual([`public URL: ${url}`]);
    expect(storedDomain(hub.configDir)).toBe(url);
    // localtunnel opens max_conn_count (2) tunnel connections.
    await until('two tunnel connections', () => fake.tunnelConnections() === 2, [fake]);
  });

  it('asks for the configured subdomain', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url, { subdomain: 'my-neck' });

    await opened(hub);

    expect(fake.requestedPaths).toEqual(['/my-neck']);
    expect(fake.latest?.id).toBe('my-neck');
  });

  it('says the tunnel password beside the URL, for a phone the reminder page stops: the IP the tunnel server saw', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);
    await until('the tunnel password', () => hub.tunnel.password() !== null, [hub.logs]);

    expect(fake.passwordRequests).toBe(1);
    expect(fake.latest?.password).toBe('127.0.0.1');
    expect(hub.tunnel.password()).toBe('127.0.0.1');
    expect(hub.logs.matching(/^(public URL|tunnel password)/)).toEqual([
      `public URL: ${fake.latest?.url}`,
      `tunnel password: 127.0.0.1 — a browser opening ${fake.latest?.url} asks for it once per IP every 7 days ` +
        '(docs/tunnel.md)',
    ]);
  });

  it('says "unknown" when the tunnel server has no password page (adversary: a self-hosted server), and carries on', async () => {
    // A self-hosted localtunnel/server has no such page: it takes the path for a tunnel's name and answers JSON.
    const fake = await startFake(new FakeLocalTunnelServer({ passwordPage: false }));
    const hub = await startHub(fake.url);
    await until('the tunnel password', () => hub.tunnel.password() !== null, [hub.logs]);
    expect(fake.requestedPaths).toEqual(['/?new', '/mytunnelpassword']);
    expect(hub.tunnel.password()).toBe('unknown');
    expect(hub.logs.matching(/^tunnel password/)).toEqual([
      expect.stringMatching(
        /^tunnel password: unknown \(http:\/\/127\.0\.0\.1:\d+\/mytunnelpassword: .*answered no IP/,
      ),
    ]);
    expect(hub.tunnel.status()).toMatchObject({ state: 'open', lastError: null });
  });

  it('the fake server gates browsers as loca.lt does: the reminder page unless the bypass header, 7 days per IP', async () => {
    let now = Date.now();
    const fake = await startFake(new FakeLocalTunnelServer({ clock: () => now }));
    const hub = await startHub(fake.url);
    await opened(hub);
    const url = hub.tunnel.status().url;
    if (url === null) throw new Error('no public URL');
    const get = async (headers: Record<string, string>) => {
      const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      return { status: response.status, text: await response.text() };
    };
    const pong = { status: 200, text: JSON.stringify({ pong: true }) };
    const answered = hub.seen.bypassHeaders.length;

    // A browser: the page, which asks for the tunnel password; the hub never saw the request.
    const page = await get({ 'user-agent': CHROME });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="password">Tunnel password</label>');
    expect(hub.seen.bypassHeaders.length).toBe(answered);
    // With the header, or as a program (curl), straight through.
    await expect(get({ 'user-agent': CHROME, ...BYPASS })).resolves.toEqual(pong);
    await expect(get({ 'user-agent': 'curl/8.5.0' })).resolves.toEqual(pong);

    const submit = async (password: string) => {
      const response = await fetch(new URL(REMINDER_FORM_PATH, url), {
        method: 'POST',
        headers: { 'user-agent': CHROME, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ password, return: '/' }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status, location: response.headers.get('location'), text: await response.text() };
    };
    const wrong = await submit('10.0.0.1');
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('That is not the tunnel password.');
    await expect(get({ 'user-agent': CHROME })).resolves.toMatchObject({
      text: expect.stringContaining('Tunnel password'),
    });
    await expect(submit('127.0.0.1')).resolves.toMatchObject({ status: 302, location: '/' });
    // This IP passes now, for 7 days.
    await expect(get({ 'user-agent': CHROME })).resolves.toEqual(pong);
    now += CONSENT_MS - 1;
    await expect(get({ 'user-agent': CHROME })).resolves.toEqual(pong);
    now += 2;
    await expect(get({ 'user-agent': CHROME })).resolves.toMatchObject({
      text: expect.stringContaining('Tunnel password'),
    });
    expect(fake.reminder?.passwordsRefused).toBe(1);
  });

  it('carries requests and heartbeats (with the bypass header) from the public URL to the app', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);
    await opened(hub);
    const url = hub.tunnel.status().url;
    if (url === null) throw new Error('no public URL');

    expect(await answersPong(url)).toBe(true);
    const before = hub.seen.bypassHeaders.length;
    await until('two heartbeats to reach the app', () => hub.seen.bypassHeaders.length >= before + 2, [hub.seen]);
    expect(hub.seen.bypassHeaders.every((header) => header === '1')).toBe(true);
    expect(hub.tunnel.status().consecutiveFailures).toBe(0);
  });

  it('keeps serving locally while the tunnel server is down and reopens when it returns', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);
    await opened(hub);
    const firstUrl = fake.latest?.url;

    await fake.stop();

    await until('the tunnel to go down', () => hub.tunnel.status().state === 'down', [hub.logs]);
    expect(hub.tunnel.status().lastError).toEqual(expect.any(String));
    expect(await answersPong(hub.localUrl)).toBe(true);
    await until('a failed attempt to reopen', () => hub.logs.matching(/could not open a tunnel/).length > 0, [
      hub.logs,
    ]);
    expect(await answersPong(hub.localUrl)).toBe(true);

    await fake.start();

    await until('the tunnel to reopen', () => hub.tunnel.status().state === 'open' && fake.tunnelsRequested === 2, [
      hub.logs,
      fake,
    ]);
    const secondUrl = fake.latest?.url;
    expect(secondUrl).not.toBe(firstUrl);
    expect(hub.tunnel.status().url).toBe(secondUrl);
    expect(storedDomain(hub.configDir)).toBe(secondUrl);
    expect(hub.logs.matching(/public URL/)).toEqual([`public URL: ${firstUrl}`, `public URL: ${secondUrl}`]);
    if (secondUrl === undefined) throw new Error('no second tunnel');
    expect(await answersPong(secondUrl)).toBe(true);
  });

  it('restarts the tunnel after 5 failed heartbeats in a row', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);
    await opened(hub);
    await until('a heartbeat to reach the app', () => hub.seen.bypassHeaders.length > 0, [hub.seen]);

    fake.breakPublic();

    await until('a new tunnel to be requested', () => fake.tunnelsRequested === 2, [fake]);
    expect(hub.logs.matching(/heartbeat failed|restarting/).slice(0, 6)).toEqual([
      expect.stringMatching(/^heartbeat failed 1\/5: /),
      expect.stringMatching(/^heartbeat failed 2\/5: /),
      expect.stringMatching(/^heartbeat failed 3\/5: /),
      expect.stringMatching(/^heartbeat failed 4\/5: /),
      expect.stringMatching(/^heartbeat failed 5\/5: /),
      '5 heartbeats failed in a row — restarting the tunnel',
    ]);

    fake.healPublic();

    await until(
      'the new tunnel to open',
      () => hub.tunnel.status().state === 'open' && hub.tunnel.status().url === fake.latest?.url,
      [hub.logs, fake],
    );
    const url = fake.latest?.url;
    if (url === undefined) throw new Error('no tunnel');
    expect(await answersPong(url)).toBe(true);
    await until('a successful heartbeat', () => hub.tunnel.status().consecutiveFailures === 0, [hub.logs, hub.seen]);
  });

  it('retries with doubling delays while the tunnel server is unreachable, then opens when it appears', async () => {
    const port = await unusedPort();
    const hub = await startHub(`http://127.0.0.1:${port}`);

    await until('the retry delay to reach its cap twice', () => hub.logs.matching(/retrying in 1s$/).length >= 2, [
      hub.logs,
    ]);

    const delays = hub.logs.matching(/retrying in/).map((line) => line.replace(/^.*retrying in /, ''));
    expect(delays.slice(0, 6)).toEqual(['0.1s', '0.2s', '0.4s', '0.8s', '1s', '1s']);
    expect(hub.tunnel.status()).toMatchObject({ url: null, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(await answersPong(hub.localUrl)).toBe(true);

    const fake = await startFake(new FakeLocalTunnelServer({ port }));

    await opened(hub);
    expect(hub.tunnel.status().url).toBe(fake.latest?.url);
    expect(hub.logs.matching(/public URL/)).toHaveLength(1);
  });

  it('retries when the tunnel server answers an error', async () => {
    const fake = await startFake();
    fake.failNextRequests(2, 503, 'no capacity');
    const hub = await startHub(fake.url);

    await opened(hub);

    expect(fake.requestedPaths).toEqual(['/?new', '/?new', '/?new']);
    expect(hub.logs.matching(/answered 503: no capacity/)).toHaveLength(2);
    expect(hub.tunnel.status().lastError).toBeNull();
  });

  it('retries when the tunnel server answers 200 without a tunnel', async () => {
    const fake = await startFake();
    fake.failNextRequests(1, 200, 'not a tunnel');
    const hub = await startHub(fake.url);

    await opened(hub);

    expect(hub.logs.matching(/answered without an id/)).toHaveLength(1);
    expect(hub.tunnel.status().url).toBe(fake.latest?.url);
  });

  it('closes the tunnel connections when the app closes', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url);
    await until('two tunnel connections', () => fake.tunnelConnections() === 2, [fake]);

    await hub.app.close();

    expect(hub.tunnel.status().state).toBe('down');
    await until('the tunnel connections to close', () => fake.tunnelConnections() === 0, [fake]);
  });

  it('stays local-only when the tunnel is disabled', async () => {
    const fake = await startFake();
    const hub = await startHub(fake.url, { enabled: false });

    expect(hub.tunnel.status()).toEqual({ state: 'disabled', url: null, consecutiveFailures: 0, lastError: null });
    expect(hub.logs.matching(/tunnel disabled/)).toHaveLength(1);
    expect(await answersPong(hub.localUrl)).toBe(true);
    expect(fake.requestedPaths).toEqual([]);
  });
});
