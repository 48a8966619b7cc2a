import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HubHealthDto, validatePayload } from '@neck-signal/protocol';
import { FakeLocalTunnelServer } from './support/fake-localtunnel';
import { decodeCanvasQr } from './support/page-qr';
import { atTerminal, Program, startNeck } from './support/program';
import { decodeTerminalQr } from './support/terminal-qr';

const PASSWORD = 'tunnel browser e2e password';
const JWT_SECRET = 'tunnel-browser-e2e-jwt-secret-0123456789abcdef01234';
/** Generous: the virtual neck boots and homes (~10 s) on a CPU shared with the rest of the suite. */
const WAIT_MS = 25_000;

/** Debian's chromium, never a downloaded browser; quiet (no update checks, no sync). */
const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/**
 * The hub behind a LocalTunnel server that is stricter than loca.lt: it shows its "friendly reminder" page to
 * every client that does not send the bypass header, browser or not. The built agent and CLI pass it by that
 * header alone; a browser, which cannot send it, passes with the tunnel password the hub printed.
 */
describe('through the tunnel (built hub, agent and CLI; Chromium): the reminder page, then the hub', () => {
  const dirs: string[] = [];
  const running: Program[] = [];
  let fake: FakeLocalTunnelServer;
  let hub: Program;
  let localUrl: string;
  let publicUrl: string;
  let tunnelPassword: string;
  let browser: Browser;
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    // loca.lt offers 10 tunnel connections: the agent's WebSocket keeps one, a long poll another.
    fake = new FakeLocalTunnelServer({ reminder: 'everyone', maxConnCount: 10 });
    await fake.start();
    // At a terminal (for its QR code), but not a first run: nothing to ask.
    const hubDir = tempDir('neck-tunnel-hub-');
    writeFileSync(join(hubDir, 'hub.json'), JSON.stringify({ cors_origins: '*' }));
    hub = atTerminal('hub', ['--port', '0', '--host', '127.0.0.1', '--tunnel-host', fake.url], {
      NECK_CONFIG_DIR: hubDir,
      PEER_SHARED_SECRET: PASSWORD,
      JWT_SECRET,
    });
    [, localUrl = ''] = await hub.waitFor(/listening on (http:\/\/\S+)/, WAIT_MS);
    [, publicUrl = ''] = await hub.waitFor(/public URL: (http:\/\/\S+)/, WAIT_MS);
    [, tunnelPassword = ''] = await hub.waitFor(/tunnel password: (\S+) — a browser opening /, WAIT_MS);
    const agent = Program.start(
      'neck-agent',
      ['-s', publicUrl, '-u', 'tunnel-neck', '--simulate', '--config-dir', tempDir('neck-tunnel-agent-')],
      { PEER_SHARED_SECRET: PASSWORD },
    );
    running.push(agent);
    await agent.waitFor(/connected to \S+ as tunnel-neck/, WAIT_MS);
    browser = await chromium.launch(LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(running.splice(0).map((program) => program.kill()));
    await hub?.stop('SIGTERM');
    await fake?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the hub prints the tunnel password beside its public URL: the IP the tunnel server saw it come from', () => {
    expect(publicUrl).toBe(fake.latest?.url);
    expect(tunnelPassword).toBe(fake.latest?.password);
    expect(tunnelPassword).toBe('127.0.0.1');
    const lines = hub.output.join('\n');
    expect(lines).toMatch(new RegExp(`public URL: ${publicUrl}\\n.*tunnel password: 127\\.0\\.0\\.1 — `));
    expect(lines).not.toContain(PASSWORD);
  });

  it('at a terminal the hub shows a QR code of the page at its public URL, the tunnel password beside it', async () => {
    await hub.waitFor(/^A browser first meets the tunnel's reminder page: its tunnel password is 127\.0\.0\.1 /);
    expect(decodeTerminalQr(hub.output.join('\n'))).toBe(`${publicUrl}/app/`);
  });

  it('GET / tells the tunnel password to an operator, not to anyone else (adversary: an anonymous visitor, an observer)', async () => {
    const health = async (token?: string) => {
      const response = await fetch(`${localUrl}/`, {
        headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      });
      const checked = validatePayload(HubHealthDto, await response.json());
      if (!checked.ok) throw new Error(`GET / answered no hub health: ${checked.message}`);
      return checked.value;
    };
    const login = async (role: string) => {
      const response = await fetch(`${localUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD, role }),
      });
      return ((await response.json()) as { token: string }).token;
    };
    expect((await health()).tunnel).toMatchObject({ state: 'open', url: publicUrl });
    expect((await health()).tunnel.password).toBeUndefined();
    expect((await health('not-a-token')).tunnel.password).toBeUndefined();
    expect((await health(await login('observer'))).tunnel.password).toBeUndefined();
    expect((await health(await login('ui'))).tunnel.password).toBe('127.0.0.1');
  });

  it('the agent and the CLI pass the strict tunnel server by the bypass header alone', async () => {
    // The agent connected through the public URL (beforeAll); the CLI sends a command the same way.
    const send = startNeck(['send', 'X10', '--timeout', '25'], {
      configDir: tempDir('neck-tunnel-cli-'),
      hubUrl: publicUrl,
      password: PASSWORD,
    });
    running.push(send);
    expect(await send.exit(WAIT_MS + 5_000)).toEqual({ code: 0, signal: null });
    expect(send.output).toContainEqual(
      expect.stringMatching(/^ack written X10,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms .*from neck tunnel-neck$/),
    );
    expect(fake.reminder?.pagesShown).toBe(0);
    expect(fake.bypassed.with).toBeGreaterThan(0);
    expect(fake.bypassed.without).toBe(0);
  });

  it('a browser meets the reminder page, passes it with the tunnel password, then logs in and drives the neck', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${publicUrl}/`);
      // The tunnel's page, not the hub's: a wrong password is refused, the one the hub printed lets this IP in.
      await page.getByLabel('Tunnel password').fill('198.51.100.1');
      await page.getByRole('button', { name: 'Submit' }).click();
      await page
        .getByRole('alert')
        .getByText(/^That is not the tunnel password/)
        .waitFor();
      await page.getByLabel('Tunnel password').fill(tunnelPassword);
      await page.getByRole('button', { name: 'Submit' }).click();

      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page
        .getByRole('status')
        .getByText(/^Connected as /)
        .waitFor({ timeout: WAIT_MS });
      expect(page.url()).toBe(`${publicUrl}/app/`);
      const neck = page.getByRole('group', { name: 'Chosen neck' });
      await neck.getByText('firmware ready').waitFor({ timeout: WAIT_MS });
      await page.getByRole('button', { name: 'HOME', exact: true }).click();
      const lastAck = page.getByLabel('Answer to your last command');
      await lastAck.getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
      await expect(lastAck.textContent()).resolves.toMatch(/^HOME written \d+ ms$/);

      await expectSharePanel(page);
      expect(fake.reminder?.passwordsRefused).toBe(1);
    } finally {
      await context.close();
    }
    // Once per visitor IP: another browser from this IP goes straight to the hub. (The first one has left: the
    // fake server keeps a tunnel connection for each open browser connection, and the hub's client opens 10.)
    const shown = fake.reminder?.pagesShown;
    const again = await browser.newContext();
    try {
      const second = await again.newPage();
      await second.goto(`${publicUrl}/app/`);
      await second.getByRole('button', { name: 'Log in' }).waitFor();
    } finally {
      await again.close();
    }
    expect(fake.reminder?.pagesShown).toBe(shown);
  });

  /** The share panel offers the public address, the tunnel password and a QR code of the address. */
  async function expectSharePanel(page: Page): Promise<void> {
    await page.getByText('Share this page', { exact: true }).click();
    const body = page.locator('#share-body');
    await body.getByText(/^Tunnel password: /).waitFor({ timeout: WAIT_MS });
    await expect(body.locator('a').textContent()).resolves.toBe(`${publicUrl}/app/`);
    await expect(body.locator('.share-password').textContent()).resolves.toBe(tunnelPassword);
    await expect(decodeCanvasQr(page, '#share-body canvas')).resolves.toBe(`${publicUrl}/app/`);
    await expect(body.textContent()).resolves.not.toContain(PASSWORD);
  }
});
