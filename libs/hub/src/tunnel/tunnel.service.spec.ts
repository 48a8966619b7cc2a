import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { HubConfigStore } from '../config/hub-config.store';
import { HubSettings, TOKEN_AUDIENCE, TOKEN_ISSUER, TunnelSettings } from '../config/hub-settings';
import { OpenTunnel, TunnelOpenOptions } from './localtunnel-opener';
import { TunnelService } from './tunnel.service';

class FakeTunnel extends EventEmitter implements OpenTunnel {
  closed = 0;

  constructor(readonly url: string) {
    super();
  }

  /** As localtunnel's: marks it closed and emits 'close'. */
  close(): void {
    this.closed += 1;
    this.emit('close');
  }
}

function settingsWith(tunnel: Partial<TunnelSettings> = {}): HubSettings {
  return new HubSettings({
    configDir: '/nonexistent/neck-signal',
    port: 0,
    host: '127.0.0.1',
    corsOrigins: '*',
    auth: {
      sharedSecret: 'unused',
      jwtSecret: 'x'.repeat(32),
      tokenLifetimeSeconds: 3600,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      maxFailedLogins: 10,
      failedLoginWindowSeconds: 60,
      maxFailedLoginsPerMinute: 300,
    },
    socket: {
      maxPayloadBytes: 16 * 1024,
      messagesPerSecond: 300,
      handshakeTimeoutMs: 3_000,
      maxUnauthenticated: 1_000,
    },
    tunnel: {
      enabled: true,
      host: 'http://tunnel.invalid',
      heartbeatIntervalMs: 60_000,
      heartbeatTimeoutMs: 5_000,
      maxHeartbeatFailures: 5,
      retryMinMs: 100,
      retryMaxMs: 1_000,
      ...tunnel,
    },
  });
}

describe('TunnelService', () => {
  let opener: jest.Mock<Promise<OpenTunnel>, [TunnelOpenOptions]>;
  let fetchPassword: jest.Mock<Promise<string>, [string, AbortSignal]>;
  let update: jest.SpyInstance;
  let logs: jest.SpyInstance;
  let warnings: jest.SpyInstance;
  let service: TunnelService;

  function create(tunnel: Partial<TunnelSettings> = {}): TunnelService {
    const settings = settingsWith(tunnel);
    const store = new HubConfigStore(settings);
    update = jest.spyOn(store, 'update').mockImplementation(() => undefined);
    service = new TunnelService(settings, store, opener, fetchPassword);
    return service;
  }

  const warned = (): string[] => warnings.mock.calls.map(([message]) => String(message));
  const logged = (): string[] => logs.mock.calls.map(([message]) => String(message));

  beforeEach(() => {
    jest.useFakeTimers();
    opener = jest.fn<Promise<OpenTunnel>, [TunnelOpenOptions]>();
    fetchPassword = jest.fn<Promise<string>, [string, AbortSignal]>().mockResolvedValue('203.0.113.7');
    logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    service.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** Advances the clock by each delay in turn and checks that exactly then one more attempt to open is made. */
  async function expectAttemptsAfter(delays: number[]): Promise<void> {
    for (const delay of delays) {
      const calls = opener.mock.calls.length;
      await jest.advanceTimersByTimeAsync(delay - 1);
      expect(opener).toHaveBeenCalledTimes(calls);
      await jest.advanceTimersByTimeAsync(1);
      expect(opener).toHaveBeenCalledTimes(calls + 1);
    }
  }

  it('asks for a tunnel to 127.0.0.1 and the local port with the configured subdomain and host', () => {
    opener.mockReturnValue(new Promise<OpenTunnel>(() => undefined));
    create({ subdomain: 'my-neck', host: 'https://tunnel.example' }).start(5000);

    expect(opener).toHaveBeenCalledWith(
      expect.objectContaining({
        port: 5000,
        localHost: '127.0.0.1',
        subdomain: 'my-neck',
        host: 'https://tunnel.example',
      }),
    );
    expect(service.status().state).toBe('opening');
  });

  it('backs off 100, 200, 400, 800 ms, then every 1000 ms while opening fails', async () => {
    opener.mockRejectedValue(new Error('connect ECONNREFUSED'));
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);

    expect(service.status()).toEqual({
      state: 'down',
      url: null,
      consecutiveFailures: 1,
      lastError: 'could not open a tunnel via http://tunnel.invalid: connect ECONNREFUSED',
    });
    await expectAttemptsAfter([100, 200, 400, 800, 1000, 1000, 1000]);
    await jest.advanceTimersByTimeAsync(0);
    expect(service.status().consecutiveFailures).toBe(8);
    expect(warned().map((line) => line.replace(/^.*retrying in /, ''))).toEqual([
      '0.1s',
      '0.2s',
      '0.4s',
      '0.8s',
      '1s',
      '1s',
      '1s',
      '1s',
    ]);
  });

  it('contains an opener that throws synchronously', async () => {
    opener.mockImplementation(() => {
      throw new Error('boom');
    });
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);

    expect(service.status()).toMatchObject({ state: 'down', lastError: expect.stringContaining('boom') });
    await expectAttemptsAfter([100, 200]);
  });

  it('announces and stores the URL once open, then resets the back-off', async () => {
    const tunnel = new FakeTunnel('https://neck.loca.lt');
    opener
      .mockRejectedValueOnce(new Error('offline'))
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValue(tunnel);
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);
    expect(service.status()).toMatchObject({ state: 'down', consecutiveFailures: 1 });
    await expectAttemptsAfter([100]);
    expect(service.status()).toMatchObject({ state: 'down', consecutiveFailures: 2 });
    await expectAttemptsAfter([200]);

    expect(service.status()).toEqual({
      state: 'open',
      url: 'https://neck.loca.lt',
      consecutiveFailures: 0,
      lastError: null,
    });
    expect(logged().filter((line) => line.startsWith('public URL'))).toEqual(['public URL: https://neck.loca.lt']);
    expect(update).toHaveBeenCalledWith({ localtunnel_domain: 'https://neck.loca.lt' });

    tunnel.emit('error', new Error('connection refused: 1.2.3.4:40000'));

    expect(tunnel.closed).toBe(1);
    expect(service.status()).toMatchObject({ state: 'down', url: 'https://neck.loca.lt' });
    expect(warned().at(-1)).toBe('tunnel lost: connection refused: 1.2.3.4:40000 — reopening in 0.1s');
    await expectAttemptsAfter([100]);
    expect(service.status().state).toBe('open');
  });

  it('says the tunnel password beside the URL, from the tunnel host, and tells who listens', async () => {
    const tunnel = new FakeTunnel('https://neck.loca.lt');
    opener.mockResolvedValue(tunnel);
    const opened: string[] = [];
    create({ host: 'https://tunnel.example' }).onOpen((url, password) => opened.push(`${url} ${password}`));
    expect(service.password()).toBeNull();
    service.start(5000);
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchPassword).toHaveBeenCalledWith('https://tunnel.example', expect.any(AbortSignal));
    expect(service.password()).toBe('203.0.113.7');
    expect(logged().slice(-2)).toEqual([
      'public URL: https://neck.loca.lt',
      'tunnel password: 203.0.113.7 — a browser opening https://neck.loca.lt asks for it once per IP every 7 days ' +
        '(docs/tunnel.md)',
    ]);
    expect(opened).toEqual(['https://neck.loca.lt 203.0.113.7']);
  });

  it('says the tunnel password is unknown, and why, when the tunnel server will not tell', async () => {
    opener.mockResolvedValue(new FakeTunnel('https://neck.loca.lt'));
    fetchPassword.mockRejectedValue(new Error('answered 503'));
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);
    expect(service.password()).toBe('unknown');
    expect(logged().at(-1)).toBe(
      'tunnel password: unknown (http://tunnel.invalid/mytunnelpassword: answered 503) — a browser opening ' +
        'https://neck.loca.lt asks for it once per IP every 7 days (docs/tunnel.md)',
    );
    // The tunnel itself is fine: only the password is unknown.
    expect(service.status()).toMatchObject({ state: 'open', lastError: null });
  });

  it('reopens a tunnel that closes by itself, and ignores events of tunnels it already dropped', async () => {
    const first = new FakeTunnel('https://one.loca.lt');
    const second = new FakeTunnel('https://two.loca.lt');
    opener.mockResolvedValueOnce(first).mockResolvedValueOnce(second);
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);

    first.emit('close');
    await expectAttemptsAfter([100]);
    first.emit('error', new Error('late socket error'));
    first.emit('close');
    await jest.advanceTimersByTimeAsync(10_000);

    expect(opener).toHaveBeenCalledTimes(2);
    expect(service.status()).toMatchObject({ state: 'open', url: 'https://two.loca.lt' });
  });

  it('on shutdown closes the tunnel and leaves no timer behind', async () => {
    const tunnel = new FakeTunnel('https://neck.loca.lt');
    opener.mockResolvedValue(tunnel);
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(1); // the next heartbeat

    service.onModuleDestroy();

    expect(tunnel.closed).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
    expect(service.status().state).toBe('down');
  });

  it('on shutdown while backing off stops retrying', async () => {
    opener.mockRejectedValue(new Error('offline'));
    create().start(5000);
    await jest.advanceTimersByTimeAsync(0);

    service.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(10_000);

    expect(opener).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('closes a tunnel that opens only after shutdown', async () => {
    let resolve: (tunnel: OpenTunnel) => void = () => undefined;
    opener.mockReturnValue(new Promise<OpenTunnel>((settle) => (resolve = settle)));
    create().start(5000);
    const signal = opener.mock.calls[0]?.[0].signal;

    service.onModuleDestroy();
    const late = new FakeTunnel('https://late.loca.lt');
    resolve(late);
    await jest.advanceTimersByTimeAsync(0);

    expect(signal?.aborted).toBe(true);
    expect(late.closed).toBe(1);
    expect(update).not.toHaveBeenCalled();
    expect(service.status()).toMatchObject({ state: 'down', url: null });
  });

  it('counts 2xx and 3xx heartbeat answers as success and restarts after 5 failures in a row', async () => {
    const fetchMock = jest.spyOn(globalThis, 'fetch');
    opener
      .mockResolvedValueOnce(new FakeTunnel('https://one.loca.lt'))
      .mockResolvedValue(new FakeTunnel('https://two.loca.lt'));
    create({ heartbeatIntervalMs: 1_000 }).start(5000);
    await jest.advanceTimersByTimeAsync(0);

    fetchMock.mockResolvedValueOnce(new Response(null, { status: 302 }));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(fetchMock).toHaveBeenLastCalledWith(
      'https://one.loca.lt',
      expect.objectContaining({ headers: { 'bypass-tunnel-reminder': '1' } }),
    );
    expect(service.status().consecutiveFailures).toBe(0);

    fetchMock.mockResolvedValueOnce(new Response(null, { status: 503 }));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(service.status()).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringContaining('503') });

    fetchMock.mockResolvedValueOnce(new Response('ok', { status: 200 }));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(service.status().consecutiveFailures).toBe(0);

    fetchMock.mockRejectedValue(new TypeError('fetch failed'));
    await jest.advanceTimersByTimeAsync(4_000);
    expect(service.status().consecutiveFailures).toBe(4);
    expect(opener).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1_000);

    expect(warned().slice(-2)).toEqual([
      'heartbeat failed 5/5: fetch failed',
      '5 heartbeats failed in a row — restarting the tunnel',
    ]);
    expect(opener).toHaveBeenCalledTimes(2);
    expect(service.status()).toEqual({
      state: 'open',
      url: 'https://two.loca.lt',
      consecutiveFailures: 0,
      lastError: null,
    });
  });

  it('does nothing when the tunnel is disabled', async () => {
    create({ enabled: false }).start(5000);
    await jest.advanceTimersByTimeAsync(10_000);

    expect(opener).not.toHaveBeenCalled();
    expect(service.status()).toEqual({ state: 'disabled', url: null, consecutiveFailures: 0, lastError: null });
  });
});
