import { createHmac } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@neck-signal/hub';
import { TEST_JWT_SECRET, TEST_PASSWORD, TestHub, connectError, nextEvent } from './support/hub';

const jwt = new JwtService({});
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function signed(claims: object, options: { secret?: string; issuer?: string; audience?: string } = {}): string {
  return jwt.sign(
    { sub: 'u-1', roles: ['ui'], ...claims },
    {
      secret: options.secret ?? TEST_JWT_SECRET,
      algorithm: 'HS256',
      issuer: options.issuer ?? TOKEN_ISSUER,
      audience: options.audience ?? TOKEN_AUDIENCE,
    },
  );
}

describe('hub: POST /login', () => {
  let hub: TestHub;

  afterEach(async () => {
    await hub.close();
  });

  it('trades the shared password for a token and the given uuid', async () => {
    hub = await TestHub.start();
    const response = await hub.postLogin({ uuid: '50da-3e29-a2f4-eae4', password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; uuid: string };
    expect(body.uuid).toBe('50da-3e29-a2f4-eae4');
    const claims = jwt.verify<{ sub: string; roles: string[]; iss: string; aud: string; exp: number; iat: number }>(
      body.token,
      { secret: TEST_JWT_SECRET, algorithms: ['HS256'] },
    );
    expect(claims).toMatchObject({ sub: '50da-3e29-a2f4-eae4', roles: ['ui'], iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(JSON.parse(Buffer.from(body.token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });

  it('generates a uuid xxxx-xxxx-xxxx-xxxx when none is given, and puts the role in the token', async () => {
    hub = await TestHub.start();
    const body = await hub.login({ role: 'neck' });
    expect(body.uuid).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(jwt.decode<{ roles: string[] }>(body.token).roles).toEqual(['neck']);
  });

  it('answers 401 for a wrong password', async () => {
    hub = await TestHub.start();
    const response = await hub.postLogin({ password: 'hunter3' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: 'wrong password' });
  });

  it.each([
    [{}, 'password must be a string'],
    [{ password: 42 }, 'password must be a string'],
    [{ password: 'x', role: 'admin' }, 'role must be one of the following values'],
    [{ password: 'x', uuid: 'has\na line break' }, 'uuid must be printable text'],
    [{ password: 'x', extra: true }, 'property extra should not exist'],
    ['{not json', 'JSON'],
  ])('answers 400 for a malformed body %j', async (body, message) => {
    hub = await TestHub.start();
    const response = await hub.postLogin(body);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain(message);
  });

  it('backs off the identity that sends wrong passwords (exponentially), not the others; then it may try again', async () => {
    hub = await TestHub.start({ auth: { maxFailedLogins: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await hub.postLogin({ uuid: 'stale', password: `wrong-${i}` })).status).toBe(401);
    // The fourth failure makes it wait 2 s, the fifth (once that is over) 4 s.
    expect((await hub.postLogin({ uuid: 'stale', password: 'wrong-3' })).status).toBe(401);

    const throttled = await hub.postLogin({ uuid: 'stale', password: TEST_PASSWORD });
    expect(throttled.status).toBe(429);
    const retryAfterSeconds = Number(throttled.headers.get('retry-after'));
    expect(retryAfterSeconds).toBe(2);
    expect(await throttled.json()).toMatchObject({ message: expect.stringContaining('too many failed logins') });
    // Anyone else logs in as usual.
    expect((await hub.postLogin({ uuid: 'someone-else', password: TEST_PASSWORD })).status).toBe(200);
    expect((await hub.postLogin({ password: TEST_PASSWORD })).status).toBe(200);

    // The end of the wait is a moment, not an event: wait exactly the Retry-After the hub announced, once.
    await delay(retryAfterSeconds * 1000);
    expect((await hub.postLogin({ uuid: 'stale', password: 'wrong-4' })).status).toBe(401);
    expect(Number((await hub.postLogin({ uuid: 'stale', password: TEST_PASSWORD })).headers.get('retry-after'))).toBe(
      4,
    );
  });

  it('never logs the password or a token', async () => {
    hub = await TestHub.start();
    const { token } = await hub.login({ uuid: 'log-check' });
    await hub.postLogin({ password: 'wrong-secret-value' });
    const peer = hub.peer({ token });
    await nextEvent(peer, 'existing-peers');
    const bad = hub.peer({ token: `${token}x` });
    await connectError(bad);
    const logs = hub.logger.text();
    expect(logs).toContain('login: log-check as ui');
    expect(logs).toContain('login refused: wrong password');
    expect(logs).toContain('connection refused');
    for (const secret of [TEST_PASSWORD, 'wrong-secret-value', token, token.split('.')[2], TEST_JWT_SECRET]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('hub: the Socket.IO handshake refuses bad tokens', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await TestHub.start();
  });

  afterAll(async () => {
    await hub.close();
  });

  const noneToken = () =>
    `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'u', roles: ['ui'], iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now() + 600 })}.`;
  const hs512Token = () => {
    const head = `${base64url({ alg: 'HS512', typ: 'JWT' })}.${base64url({ sub: 'u', roles: ['ui'], iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now() + 600 })}`;
    return `${head}.${createHmac('sha512', TEST_JWT_SECRET).update(head).digest('base64url')}`;
  };

  it.each<[string, () => Record<string, unknown> | undefined, RegExp]>([
    ['no auth at all', () => undefined, /no token/],
    ['an empty token', () => ({ token: '' }), /no token/],
    ['a token that is not a string', () => ({ token: 42 }), /no token/],
    ['garbage', () => ({ token: 'not-a-jwt' }), /jwt malformed/],
    [
      'a wrong secret',
      () => ({ token: signed({}, { secret: 'another-secret-that-is-long-enough-0123456789' }) }),
      /invalid signature/,
    ],
    ['alg none', () => ({ token: noneToken() }), /jwt signature is required|invalid algorithm/],
    ['another algorithm (HS512)', () => ({ token: hs512Token() }), /invalid algorithm/],
    ['an expired token', () => ({ token: signed({ exp: now() - 10 }) }), /jwt expired/],
    ['a wrong audience', () => ({ token: signed({}, { audience: 'someone-else' }) }), /jwt audience invalid/],
    ['a wrong issuer', () => ({ token: signed({}, { issuer: 'someone-else' }) }), /jwt issuer invalid/],
    ['no roles', () => ({ token: signed({ roles: [], exp: now() + 600 }) }), /no subject or roles/],
    ['no expiry (a token that would live for ever)', () => ({ token: signed({}) }), /token has no expiry/],
    [
      'a lifetime above the hub’s (1 h here)',
      () => ({ token: signed({ exp: now() + 2 * 3600 }) }),
      /token lives longer than this hub allows \(3600 s\)/,
    ],
  ])('%s: connect_error, never a connection', async (_name, auth, reason) => {
    const others: string[] = [];
    const { socket: witness } = await hub.connect('observer');
    witness.on('new-peer', (peer) => others.push(peer.id));

    const socket = hub.peer(auth());
    const message = await connectError(socket);
    expect(message).toMatch(/^unauthorized: /);
    expect(message).toMatch(reason);
    expect(socket.connected).toBe(false);

    // A valid peer joining afterwards is the only new-peer the witness sees.
    const { socket: valid } = await hub.connect('ui');
    await nextEvent(witness, 'new-peer', 5_000, (peer) => peer.id === valid.id);
    expect(others).toEqual([valid.id]);
  });

  it('accepts a valid token over polling as well as websocket', async () => {
    const { token } = await hub.login();
    const polling = hub.peer({ token }, ['polling']);
    expect(Array.isArray(await nextEvent(polling, 'existing-peers'))).toBe(true);
  });
});
