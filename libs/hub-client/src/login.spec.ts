import { createServer, type Server, type Socket } from 'node:net';
import { UUID_RULE } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from '../../../test/support/hub';
import { freePort } from '../test/support';
import { LoginError } from './errors';
import { HubClient } from './hub-client';
import { networkCause, retryAfter } from './login';

describe('HubClient.login', () => {
  let hub: TestHub | undefined;
  let client: HubClient | undefined;

  afterEach(async () => {
    await client?.close();
    await hub?.close();
    client = undefined;
    hub = undefined;
  });

  async function loginError(attempt: Promise<unknown>): Promise<LoginError> {
    const error = await attempt.then(
      () => new Error('login succeeded, but should have failed'),
      (reason: unknown) => reason,
    );
    if (!(error instanceof LoginError)) throw error;
    return error;
  }

  it('trades the password for a token and a generated uuid, and keeps the uuid', async () => {
    hub = await TestHub.start();
    client = new HubClient({ url: `${hub.url}/`, password: TEST_PASSWORD });
    expect(client.uuid).toBeUndefined();

    const result = await client.login();

    expect(result.token.split('.')).toHaveLength(3);
    expect(result.uuid).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(client.uuid).toBe(result.uuid);
    expect(client.url).toBe(hub.url);
    // The next login asks for the same uuid again.
    expect((await client.login()).uuid).toBe(result.uuid);
  });

  it('logs in with the given uuid and role', async () => {
    hub = await TestHub.start();
    client = new HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'neck_1', role: 'neck' });

    const result = await client.login();
    expect(result).toEqual({ token: expect.any(String), uuid: 'neck_1', expiresIn: expect.any(Number) });
    // The token's exp counts from the start of the second it was issued in: never more than its lifetime left.
    expect([3599, 3600]).toContain(result.expiresIn);
    expect(hub.logger.text()).toContain('login: neck_1 as neck');
  });

  it('reports a wrong password (401) as wrong-password', async () => {
    hub = await TestHub.start();
    client = new HubClient({ url: hub.url, password: 'not the password' });

    const error = await loginError(client.login());

    expect(error.reason).toBe('wrong-password');
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      `hub at ${hub.url} refused the password (401 wrong password); check the shared password`,
    );
  });

  it('reports a throttled login (429) with the seconds to wait', async () => {
    hub = await TestHub.start({ auth: { maxFailedLogins: 1 } });
    const wrong = new HubClient({ url: hub.url, password: 'not the password', uuid: 'stale-client' });
    client = new HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'stale-client' });
    expect((await loginError(wrong.login())).reason).toBe('wrong-password');
    expect((await loginError(wrong.login())).reason).toBe('wrong-password');

    // Past its free failures this identity waits (2 s now), even with the right password.
    const error = await loginError(client.login());

    expect(error.reason).toBe('throttled');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(2);
    expect(error.message).toContain(`hub at ${hub.url} refuses logins for now after too many failed ones (429 `);
    expect(error.message).toContain('wait 2 s and check the shared password');
    await wrong.close();
  });

  it('reports a closed port as unreachable, naming the cause', async () => {
    const port = await freePort();
    client = new HubClient({ url: `http://127.0.0.1:${port}`, password: TEST_PASSWORD });

    const error = await loginError(client.login());

    expect(error.reason).toBe('unreachable');
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`hub at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });

  it('reports a hub that never answers as unreachable after loginTimeoutMs', async () => {
    const silent = await silentServer();
    try {
      client = new HubClient({ url: `http://127.0.0.1:${silent.port}`, password: TEST_PASSWORD, loginTimeoutMs: 200 });

      const error = await loginError(client.login());

      expect(error.reason).toBe('unreachable');
      expect(error.message).toBe(`hub at http://127.0.0.1:${silent.port} is unreachable (no answer within 0.2 s)`);
    } finally {
      await silent.close();
    }
  });

  it('reports a malformed request (400) as rejected, with the hub’s explanation', async () => {
    hub = await TestHub.start();
    client = new HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'bad\nuuid' });

    const error = await loginError(client.login());

    expect(error.reason).toBe('rejected');
    expect(error.status).toBe(400);
    expect(error.message).toBe(`hub at ${hub.url} rejected the login (400 ${UUID_RULE})`);
  });

  it('reports a URL that is not a hub (404) as rejected and says to check it', async () => {
    hub = await TestHub.start();
    client = new HubClient({ url: `${hub.url}/somewhere-else/`, password: TEST_PASSWORD });

    const error = await loginError(client.login());

    expect(error.reason).toBe('rejected');
    expect(error.status).toBe(404);
    expect(error.message).toContain(`${hub.url}/somewhere-else has no /login (404 `);
    expect(error.message).toContain('check the hub URL');
  });

  it('aborts a login in flight when closed', async () => {
    const silent = await silentServer();
    try {
      client = new HubClient({ url: `http://127.0.0.1:${silent.port}`, password: TEST_PASSWORD });
      const attempt = client.login();
      await silent.connected;
      await client.close();

      await expect(attempt).rejects.toThrow('logging in: the hub client was closed');
    } finally {
      await silent.close();
    }
  });
});

describe('login helpers', () => {
  it.each([
    ['7', undefined, 7],
    [' 12 ', undefined, 12],
    [null, 'too many failed logins; try again in 42 s', 42],
    [null, 'something else', undefined],
    ['soon', 'try again in 3 s', 3],
  ])('retryAfter(%p, %p) is %p', (header, message, expected) => {
    expect(retryAfter(header, message)).toBe(expected);
  });

  it('reads an HTTP-date Retry-After as seconds from now', () => {
    const seconds = retryAfter(new Date(Date.now() + 30_000).toUTCString(), undefined);
    expect(seconds).toBeGreaterThanOrEqual(29);
    expect(seconds).toBeLessThanOrEqual(30);
  });

  it('names the network cause of a failed fetch', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkCause(new TypeError('fetch failed', { cause: refused }))).toBe('ECONNREFUSED');
    const both = new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })], 'all failed');
    expect(networkCause(new TypeError('fetch failed', { cause: both }))).toBe('EHOSTUNREACH');
    expect(networkCause(new TypeError('Failed to fetch'))).toBe('Failed to fetch');
  });
});

describe('HubClient options', () => {
  it.each([
    [{ url: 'localhost:5000', password: 'x' }, 'hub URL "localhost:5000" is not an http(s) URL'],
    [{ url: 'ftp://hub', password: 'x' }, 'is not an http(s) URL'],
    [{ url: 'http://hub', password: '' }, 'the hub password is empty'],
    [{ url: 'http://hub', password: 'x', retryIntervalMs: -1 }, 'retryIntervalMs must be a number of milliseconds'],
    [{ url: 'http://hub', password: 'x', maxLoginAttempts: 0 }, 'maxLoginAttempts must be a whole number ≥ 1'],
  ])('refuses %j', (options, message) => {
    expect(() => new HubClient(options)).toThrow(message);
  });
});

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ port: number; connected: Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let onConnection: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnection = resolve));
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    onConnection();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    port: address.port,
    connected,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
