import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { atTerminal, Program } from './support/program';
import { decodeTerminalQr } from './support/terminal-qr';

const PASSWORD = 'phone e2e password+/#&';
const WAIT_MS = 20_000;

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
 * Phone-first operation: `neck-hub --https` serves this network over HTTPS with a certificate of its own making
 * and prints, at a terminal, a QR code that opens the page on a phone, logged in. Agents and the CLI trust the
 * hub's certificate authority (NECK_HUB_CA); without it they are refused at once, told what to give.
 */
describe('a phone on an HTTPS hub (neck-hub --https, built, at a terminal)', () => {
  let dir: string;
  let agentDir: string;
  let hub: Program;
  let url: string;
  let browser: Browser;
  const running: Program[] = [];
  const caPath = () => join(dir, 'https-ca.pem');
  const program = (app: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const started = Program.start(app, args, { PEER_SHARED_SECRET: PASSWORD, NECK_HUB_CA: '', ...env });
    running.push(started);
    return started;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neck-phone-hub-'));
    agentDir = mkdtempSync(join(tmpdir(), 'neck-phone-agent-'));
    // Not a first run: the terminal is for the QR code, not for questions.
    writeFileSync(join(dir, 'hub.json'), JSON.stringify({ cors_origins: '*' }));
    hub = atTerminal('hub', ['--https', '--port', '0', '--config-dir', dir], { PEER_SHARED_SECRET: PASSWORD });
    [, url = ''] = await hub.waitFor(/listening on (https:\/\/127\.0\.0\.1:\d+) /, WAIT_MS);
    await hub.waitFor(/^The code holds the shared password/, WAIT_MS);
    browser = await chromium.launch(LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(running.splice(0).map((started) => started.kill()));
    await hub?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  });

  it('makes its certificate in the config dir, the keys 0600, and says which authority clients trust', () => {
    expect(statSync(join(dir, 'https-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'https-ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(hub.output.join('\n')).toContain(`HTTPS with this hub's own certificate authority ${caPath()} (SHA-256 `);
  });

  it('prints a QR code a phone opens, logged in by the password in the fragment, which no log line shows', async () => {
    const decoded = decodeTerminalQr(hub.output.join('\n'));
    if (decoded === undefined) throw new Error(`no QR code in the hub's output:\n${hub.output.join('\n')}`);
    const link = new URL(decoded);
    expect(link.protocol).toBe('https:');
    expect(link.port).toBe(new URL(url).port);
    expect(link.pathname).toBe('/app/');
    expect(new URLSearchParams(link.hash.slice(1)).get('password')).toBe(PASSWORD);
    // The code is the only place the password appears: no line of the hub's output spells it.
    expect(hub.output.join('\n')).not.toContain(PASSWORD);
    expect(hub.output.join('\n')).not.toContain(encodeURIComponent(PASSWORD));

    const phone = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = await phone.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(decoded);
      await page
        .getByRole('status')
        .getByText(/^Connected as /)
        .waitFor({ timeout: WAIT_MS });
      // The fragment never left the phone, and the page took it off its address once it had logged in.
      expect(requested.filter((address) => address.includes('password'))).toEqual([]);
      expect(page.url()).toBe(`${link.origin}/app/`);
      // A secure page: the tilt panel offers the sensors instead of asking for HTTPS.
      await expect(page.evaluate('window.isSecureContext')).resolves.toBe(true);
      await expect(page.locator('#tilt-status').textContent()).resolves.not.toMatch(/needs this page over HTTPS/);
      await expect(page.locator('#tilt-enable').isEnabled()).resolves.toBe(true);
    } finally {
      await phone.close();
    }
  });

  it('an agent given the hub’s certificate authority connects over https, and so does the CLI', async () => {
    const agent = program('neck-agent', ['-s', url, '-u', 'phone-neck', '--simulate', '--config-dir', agentDir], {
      NECK_HUB_CA: caPath(),
    });
    await agent.waitFor(new RegExp(`connected to ${url.replace(/[.]/g, '\\.')} as phone-neck`), WAIT_MS);
    const cliDir = mkdtempSync(join(tmpdir(), 'neck-phone-cli-'));
    try {
      const send = program('cli', ['send', 'X10', '-s', url, '--timeout', '25', '--config-dir', cliDir], {
        NECK_HUB_CA: caPath(),
      });
      expect(await send.exit(30_000)).toEqual({ code: 0, signal: null });
      expect(send.output).toContainEqual(
        expect.stringMatching(/^ack written X10,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms .*from neck phone-neck$/),
      );
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });

  it('a client without it is refused at once, told which certificate to give', async () => {
    const cliDir = mkdtempSync(join(tmpdir(), 'neck-phone-cli-'));
    try {
      const peers = program('cli', ['peers', '-s', url, '--config-dir', cliDir]);
      expect(await peers.exit()).toEqual({ code: 2, signal: null });
      expect(peers.output.join('\n')).toContain(
        `neck: hub at ${url} presents a certificate this program does not trust (SELF_SIGNED_CERT_IN_CHAIN); ` +
          "a hub started with --https makes its own: give this program a copy of the hub's https-ca.pem with " +
          '--hub-ca FILE or NECK_HUB_CA',
      );
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
    const agentWithout = program('neck-agent', ['-s', url, '-u', 'no-ca-neck', '--simulate', '--config-dir', agentDir]);
    await agentWithout.waitFor(/presents a certificate this program does not trust .*NECK_HUB_CA/, WAIT_MS);
  });
});
