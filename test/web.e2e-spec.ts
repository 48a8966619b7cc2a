import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import {
  DEFAULT_FIRMWARE_TIMING,
  DEFAULT_LEASE_MS,
  DEFAULT_STALE_AFTER_MS,
  NeckAgent,
  type AgentSettings,
} from '@neck-signal/agent';
import type { VirtualNeck } from '@neck-signal/virtual-neck';
import { lanAddresses } from '@neck-signal/program-kit';
import { eulerToQuaternion, formatNumber } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from './support/hub';
import { decodeCanvasQr } from './support/page-qr';

const ROOT = join(__dirname, '..');
const APP_JS = join(ROOT, 'dist', 'web', 'app.js');
const SCREENSHOT = join(ROOT, 'test-artifacts', 'web.png');
const README_SCREENSHOT = join(ROOT, 'docs', 'web-page.png');
/** The README's pictures of the page on a phone and on a laptop. */
const PHONE_SCREENSHOT = join(ROOT, 'docs', 'web-phone.png');
const LAPTOP_SCREENSHOT = join(ROOT, 'docs', 'web-laptop.png');
/** Generous: the first HOME and page loads share a CPU with the rest of the suite. */
const WAIT_MS = 15_000;

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

function agentSettings(serverUrl: string, configDir: string): AgentSettings {
  return {
    configDir,
    serverUrl,
    password: TEST_PASSWORD,
    uuid: 'web-test-neck',
    serial: {
      baudRate: 115200,
      simulate: true,
      candidates: [],
      retryMs: 100,
      probeTimeoutMs: 2000,
      bootQuietMs: DEFAULT_FIRMWARE_TIMING.bootQuietMs,
    },
    limits: {},
    firmware: DEFAULT_FIRMWARE_TIMING,
    leaseMs: DEFAULT_LEASE_MS,
    staleAfterMs: DEFAULT_STALE_AFTER_MS,
    statusIntervalMs: 1000,
    loginRetryMs: 200,
  };
}

describe('web control page (chromium)', () => {
  let hub: TestHub;
  let agent: NeckAgent;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agentDir: string;
  let neck: VirtualNeck;
  /** Console errors and uncaught exceptions of the page under test. */
  let consoleErrors: string[];

  const received = (): readonly string[] => neck.received;

  /** Resolves once `condition` holds: checked now and on each line the neck receives; fails after WAIT_MS. */
  function neckReceives(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (condition()) return resolve();
      const timer = setTimeout(() => {
        stop();
        const last = received().slice(-5).join(' | ');
        reject(new Error(`timed out after ${WAIT_MS} ms waiting until ${what}; the neck's last lines: ${last}`));
      }, WAIT_MS);
      const stop = neck.onReceived(() => {
        if (!condition()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  beforeAll(async () => {
    if (!existsSync(APP_JS)) {
      throw new Error(`${APP_JS} is missing: run \`npm run build\` (it bundles the web page into dist/web) first`);
    }
    hub = await TestHub.start();
    agentDir = mkdtempSync(join(tmpdir(), 'neck-web-agent-'));
    agent = new NeckAgent(agentSettings(hub.url, agentDir));
    if (!agent.virtualNeck) throw new Error('the agent has no virtual neck: agentSettings must set serial.simulate');
    neck = agent.virtualNeck;
    // The virtual neck is the strict one of --simulate: it boots and homes (~5.4 s; that homing is the opening's HOME).
    const ready = new Promise<void>((resolve) => {
      const stop = agent.relay.onStatus((status) => {
        if (status.firmware.state !== 'ready' || status.pose === null) return;
        stop();
        resolve();
      });
    });
    agent.start();
    await ready;
    expect(received()).toEqual(['HEALTH']);
    browser = await chromium.launch(LAUNCH);
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.close();
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  });

  afterEach(async () => {
    await context?.close();
  });

  async function logIn(target: Page = page, url = hub.url): Promise<void> {
    await target.goto(`${url}/`);
    await target.getByLabel('Password').fill(TEST_PASSWORD);
    await target.getByRole('button', { name: 'Log in' }).click();
    await target
      .getByRole('status')
      .getByText(/^Connected as /)
      .waitFor({ timeout: WAIT_MS });
    await chosenNeck(target).getByText('serial open').waitFor({ timeout: WAIT_MS });
    // A HOME of an earlier test may still run: each test starts with a neck that reads.
    await chosenNeck(target).getByText('firmware ready').waitFor({ timeout: WAIT_MS });
  }

  /** The state of the neck the page shows, beside the neck chooser. */
  function chosenNeck(target: Page = page): Locator {
    return target.getByRole('group', { name: 'Chosen neck' });
  }

  function logEntries(): Locator {
    return page.getByRole('log').getByRole('listitem');
  }

  /** The log entry of a sent command line. */
  function commandEntry(line: string): Locator {
    return logEntries().filter({ has: page.locator('code.line', { hasText: new RegExp(`^${escape(line)}$`) }) });
  }

  async function sendFromConsole(text: string): Promise<void> {
    await page.getByLabel('Command', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  it('logs in (the browser is sent from / to the page), shows the neck, and HOME is acknowledged written', async () => {
    await logIn();
    expect(page.url()).toBe(`${hub.url}/app/`);
    await expect(chosenNeck().textContent()).resolves.toContain('neck web-test-neck');
    // The peers are folded under their count; opened, they list the neck.
    const peers = page.getByRole('list', { name: 'Peers on the hub' });
    await expect(peers.isVisible()).resolves.toBe(false);
    await page.getByText(/^Peers on the hub: you and \d+ others?$/).click();
    await peers.getByText('web-test-neck').waitFor();

    const before = received().length;
    await page.getByRole('button', { name: 'HOME', exact: true }).click();
    const entry = commandEntry('HOME').first();
    await entry.getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    await expect(entry.textContent()).resolves.toMatch(/\d+ ms · web-test-neck/);
    expect(received().slice(before)).toContain('HOME');
    // Where the time went: on hover (the entry's title), and opened by a tap on the round trip. The page's own round
    // trip comes first, then each hop as the hub and the agent measured it.
    const timing =
      /^in \d+(\.\d)? ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+(, fence [\d.]+)?, wire [\d.]+\)$/;
    await expect(entry.getAttribute('title')).resolves.toMatch(timing);
    const [, roundTrip] = /^(\d+) ms · /.exec((await entry.locator('summary').textContent()) ?? '') ?? [];
    await entry.locator('summary').click();
    const detail = entry.locator('.timing-detail');
    await detail.waitFor();
    await expect(detail.textContent()).resolves.toMatch(timing);
    expect(
      Math.abs(Number(/^in ([\d.]+) ms/.exec((await detail.textContent()) ?? '')?.[1]) - Number(roundTrip)),
    ).toBeLessThanOrEqual(1);

    // (Page code is passed as text: this project's TypeScript has no DOM types.)
    const uuid = (await page.getByRole('status').textContent())?.replace('Connected as ', '');
    const stored = await page.evaluate(
      '({ local: { ...localStorage }, session: Object.keys(sessionStorage), cookie: document.cookie })',
    );
    // The uuid is remembered; the device key lives only as long as the tab; no token is stored anywhere.
    expect(stored).toEqual({ local: { 'neck-signal.uuid': uuid }, session: ['neck-signal.device-key'], cookie: '' });

    // A reload in this tab logs in with the tab's key, no password typed; the same uuid.
    await page.reload();
    await page
      .getByRole('status')
      .getByText(`Connected as ${uuid ?? '?'}`)
      .waitFor({ timeout: WAIT_MS });

    // Logging out ends the tab's pairing: after a reload the page asks for the password again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Password').waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not logged in');
    await page.reload();
    await page.getByLabel('Password').waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toBe('Not logged in');
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('streams head commands while a slider is dragged, at most one per 20 ms, the last value last', async () => {
    await logIn();
    const slider = page.getByRole('slider', { name: /^X/ });
    const box = await slider.boundingBox();
    if (!box) throw new Error('the X slider is not on screen');
    const before = received().length;
    const startedAt = Date.now();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2, { steps: 25 });
    await page.mouse.up();
    const value = await slider.inputValue();
    expect(Number(value)).toBeGreaterThan(0);
    const headLines = () =>
      received()
        .slice(before)
        .filter((line) => line.startsWith('X'));
    await neckReceives(() => headLines().at(-1)?.startsWith(`X${value},`) ?? false, `the neck receives X${value}`);
    const elapsedMs = Date.now() - startedAt;
    expect(headLines().length).toBeGreaterThan(1);
    expect(headLines().length).toBeLessThanOrEqual(Math.floor(elapsedMs / 20) + 1);
    expect(headLines().every((line) => /^X-?\d+,Y-?\d+,Z-?\d+,H\d+,S[\d.]+,A[\d.]+,R-?\d+,P-?\d+$/.test(line))).toBe(
      true,
    );

    // The keyboard moves it too.
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    const next = Number(value) + 1;
    await neckReceives(() => headLines().at(-1)?.startsWith(`X${next},`) ?? false, `the neck receives X${next}`);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^Connected/);
    expect(consoleErrors).toEqual([]);
  });

  it('while the neck homes it says so, and sends the latest slider pose once the neck reads again', async () => {
    await logIn();
    const before = received().length;
    await page.getByRole('button', { name: 'HOME', exact: true }).click();
    await commandEntry('HOME').last().getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    await chosenNeck().getByText('firmware homing…').waitFor({ timeout: WAIT_MS });

    for (const value of ['100', '150', '210']) await page.getByRole('slider', { name: /^X/ }).fill(value);
    const alert = page.locator('#slider-error');
    await alert.getByText(/web-test-neck is homing… your latest pose goes out when it is ready/).waitFor();
    // Nothing but HOME and the agent's HEALTH fence behind it reached the neck while it homed.
    expect(received().slice(before)).toEqual(['HOME', 'HEALTH']);

    await chosenNeck().getByText('firmware ready').waitFor({ timeout: WAIT_MS });
    await commandEntry('X210').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    expect(received().slice(before)).toEqual(['HOME', 'HEALTH', 'X210,Y0,Z0,H0,S1,A1,R0,P0']);
    await expect(alert.isHidden()).resolves.toBe(true);
    expect(agent.virtualNeck?.stats).toMatchObject({ bytesLost: 0, garbledLines: 0 });
    expect(consoleErrors).toEqual([]);
  });

  it('refuses an invalid console command in the browser: the error is shown and nothing is sent', async () => {
    await logIn();
    const before = received().length;
    const entries = await logEntries().count();
    await sendFromConsole('X800,Y0');
    const alert = page.locator('#console-error');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('X800: X must be an integer from -700 to 700');
    await expect(page.getByLabel('Command', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await logEntries().count()).toBe(entries);

    // A valid command sent afterwards is the first thing the neck receives: the invalid one never left the page.
    await sendFromConsole('health');
    await commandEntry('HEALTH').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    expect(received().slice(before)).toEqual(['HEALTH']);
    await expect(alert.isHidden()).resolves.toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it("names the head's axes in the firmware's words, and a hasty 80-px flick moves X by 80 units, not across its range", async () => {
    await logIn();
    for (const name of ['X · yaw', 'P · pitch', 'R · roll', 'Y · lateral', 'Z · front/back', 'H · height']) {
      await expect(page.getByRole('slider', { name, exact: true }).count()).resolves.toBe(1);
    }
    const slider = page.getByRole('slider', { name: 'X · yaw', exact: true });
    const field = page.getByRole('spinbutton', { name: /^X · yaw/ });
    const xLines = (from: number) =>
      received()
        .slice(from)
        .filter((line) => line.startsWith('X'));
    // The number field puts X at 0 exactly.
    let before = received().length;
    await field.fill('0');
    await field.press('Enter');
    await neckReceives(() => xLines(before).at(-1)?.startsWith('X0,') ?? false, 'the neck receives X0');

    // The flick: pressed far from the thumb (a native slider would jump there, to about -560), 80 px right, fast.
    const box = await slider.boundingBox();
    if (!box) throw new Error('the X slider is not on screen');
    before = received().length;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.1 + 80, y, { steps: 4 });
    await page.mouse.up();
    await expect(slider.inputValue()).resolves.toBe('80');
    await neckReceives(() => xLines(before).at(-1)?.startsWith('X80,') ?? false, 'the neck receives X80');
    const written = xLines(before).map((line) => Number(/^X(-?\d+),/.exec(line)?.[1]));
    expect(written.every((x) => x > 0 && x <= 80)).toBe(true);
    await expect(field.inputValue()).resolves.toBe('80');

    // A value the firmware would refuse, typed: said at once, nothing sent, the field back at the slider's value.
    before = received().length;
    await field.fill('800');
    await field.press('Enter');
    await page.locator('#slider-error').getByText('X · yaw: a whole number from -700 to 700, please').waitFor();
    await expect(field.inputValue()).resolves.toBe('80');
    await field.fill('-25');
    await field.press('Enter');
    await neckReceives(() => xLines(before).length > 0, 'the neck receives the next X');
    expect(xLines(before)).toEqual([expect.stringMatching(/^X-25,/)]);
    await expect(page.locator('#slider-error').isHidden()).resolves.toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('after a refused move the sliders show what the neck accepted (adversary: another operator holds control)', async () => {
    await logIn();
    const other = await hub.connect('ui', 'slider-rival');
    try {
      other.socket.emit('neck_command', { command: 'X15', id: 'rival-1' });
      await page
        .locator('#control-state')
        .getByText(/control held by slider-rival/)
        .waitFor({ timeout: WAIT_MS });
      await chosenNeck().getByText(/^X15,/).waitFor({ timeout: WAIT_MS });
      const slider = page.getByRole('slider', { name: 'X · yaw', exact: true });
      const before = received().length;
      await slider.fill('40');
      // The answer shows beside STOP and HOME, and the slider is back where the neck is.
      const lastAck = page.getByLabel('Answer to your last command');
      await lastAck.getByText('rejected', { exact: true }).waitFor({ timeout: WAIT_MS });
      await expect(lastAck.textContent()).resolves.toMatch(/^X40 rejected \d+ ms · CONTROL_HELD: /);
      await expect(slider.inputValue()).resolves.toBe('15');
      await expect(page.getByRole('spinbutton', { name: /^X · yaw/ }).inputValue()).resolves.toBe('15');
      expect(received().slice(before)).toEqual([]);
    } finally {
      other.socket.disconnect();
    }
    expect(consoleErrors).toEqual([]);
  });

  it('on a phone the answer to STOP or HOME shows right below them, on the first screen (adversary: a small screen)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const small = await phone.newPage();
      await logIn(small);
      await small.getByRole('button', { name: 'HOME', exact: true }).tap();
      const lastAck = small.getByLabel('Answer to your last command');
      await lastAck.getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
      await expect(lastAck.textContent()).resolves.toMatch(/^HOME written \d+ ms$/);
      const box = await lastAck.boundingBox();
      const stop = await small.getByRole('button', { name: 'STOP', exact: true }).boundingBox();
      if (!box || !stop) throw new Error('the last ack or STOP is not on screen');
      expect(box.y + box.height).toBeLessThanOrEqual(844);
      // Right below the buttons, not screens away.
      expect(box.y - (stop.y + stop.height)).toBeLessThan(60);
      // The neck homes after that HOME: the next test starts with a neck that reads.
      await chosenNeck(small).getByText('firmware homing…').waitFor({ timeout: WAIT_MS });
      await chosenNeck(small).getByText('firmware ready').waitFor({ timeout: WAIT_MS });
    } finally {
      await phone.close();
    }
  });

  it('on a phone, an 80-px swipe along X moves it by 80 units from where it was (adversary: a hasty thumb)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const small = await phone.newPage();
      await logIn(small);
      const slider = small.getByRole('slider', { name: 'X · yaw', exact: true });
      await slider.scrollIntoViewIfNeeded();
      const start = Number(await slider.inputValue());
      const box = await slider.boundingBox();
      if (!box) throw new Error('the X slider is not on screen');
      const before = received().length;
      // A touch lands near the track's left end (a native slider would jump there), then swipes 80 px right.
      const cdp = await phone.newCDPSession(small);
      const y = box.y + box.height / 2;
      const x = box.x + 10;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
      for (const dx of [20, 40, 60, 80]) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x + dx, y }] });
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      const expected = Math.min(700, start + 80);
      await expect(slider.inputValue()).resolves.toBe(String(expected));
      await neckReceives(
        () =>
          received()
            .slice(before)
            .some((line) => line.startsWith(`X${expected},`)),
        `the neck receives X${expected}`,
      );
    } finally {
      await phone.close();
    }
  });

  it("shares the page's address as a link and a QR code a phone's camera reads (no tunnel: this page's own address)", async () => {
    await logIn();
    await page.getByText('Share this page', { exact: true }).click();
    const link = page.locator('#share-body a');
    await link.waitFor();
    await expect(link.textContent()).resolves.toBe(`${hub.url}/app/`);
    await expect(page.locator('#share-body').textContent()).resolves.not.toContain('Tunnel password');
    await expect(decodeCanvasQr(page, '#share-body canvas')).resolves.toBe(`${hub.url}/app/`);
    expect(consoleErrors).toEqual([]);
  });

  it('sends the six actuators and a quaternion; the firmware output shows in the log', async () => {
    await logIn();
    const before = received().length;
    for (const [id, mm] of [
      [1, '10'],
      [2, '20.5'],
      [6, '80'],
    ] as const) {
      await page.getByLabel(`Actuator ${id}`).fill(mm);
    }
    await page.getByRole('button', { name: 'Send actuators' }).click();
    await commandEntry('1:10,2:20.5,6:80').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });

    await page.getByLabel('Quaternion w').fill('0.7071');
    await page.getByLabel('Quaternion z').fill('0.7071');
    await page.getByRole('button', { name: 'Send quaternion' }).click();
    // The firmware reads six values after Q:, so the page sends H and S of the sliders, not A.
    const quaternion = 'Q:0.7071,0,0,0.7071,H0,S1';
    await commandEntry(quaternion).getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    expect(received().slice(before)).toEqual(['1:10,2:20.5,6:80', quaternion]);
    // The virtual firmware answers the quaternion (after its boot HOME has finished).
    await page
      .getByRole('log')
      .getByText(/Quaternion command received. Euler angles \(deg\): Yaw=90/)
      .waitFor({ timeout: WAIT_MS });
    expect(consoleErrors).toEqual([]);
  });

  /** Dispatches a deviceorientation event, as a phone's sensor would. */
  function orient(alpha: number, beta: number, gamma: number, target: Page = page): Promise<unknown> {
    return target.evaluate(
      `window.dispatchEvent(new DeviceOrientationEvent('deviceorientation', ${JSON.stringify({ alpha, beta, gamma })}))`,
    );
  }

  /** Turns tilt on: Chromium, like iOS, asks first (DeviceOrientationEvent.requestPermission), so the panel offers that. */
  async function useTilt(target: Page = page): Promise<void> {
    await target.getByRole('button', { name: 'Allow motion sensors' }).click();
    await target.getByRole('button', { name: 'Use tilt', pressed: true }).waitFor({ timeout: WAIT_MS });
  }

  /** Opens the tilt settings and turns the One Euro filter off (each reading as it is) or on. */
  async function tiltSettings(filter: 'off' | 'on', target: Page = page): Promise<void> {
    await target.getByText('Tilt settings', { exact: true }).click();
    await target.getByRole('checkbox', { name: 'Tilt filter' }).setChecked(filter === 'on');
  }

  /** Presses "Hold to move" with the mouse and keeps it down. */
  async function pressHold(): Promise<void> {
    const box = await page.getByRole('button', { name: 'Hold to move' }).boundingBox();
    if (!box) throw new Error('the hold button is not on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // Input and script reach the page by different routes: press first, then turn.
    await page.locator('#tilt-hold[aria-pressed="true"]').waitFor({ timeout: WAIT_MS });
  }

  it('tilt mode streams quaternions only while "Hold to move" is held', async () => {
    await logIn();
    await useTilt();
    // Without the filter the first line is the turn itself.
    await tiltSettings('off');
    await orient(10, 0, 0);
    const hold = page.getByRole('button', { name: 'Hold to move' });
    const before = received().length;
    await pressHold();
    await orient(40, 0, 0);
    const quaternions = () =>
      received()
        .slice(before)
        .filter((line) => line.startsWith('Q:'));
    await neckReceives(() => quaternions().length > 0, 'the neck receives a quaternion');
    await page.mouse.up();
    const sent = await logEntries().filter({ hasText: 'Q:' }).count();

    await orient(80, 10, 0);
    await orient(120, 20, 5);
    await sendFromConsole('HEALTH');
    await commandEntry('HEALTH').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    expect(await logEntries().filter({ hasText: 'Q:' }).count()).toBe(sent);
    expect(quaternions().length).toBeLessThanOrEqual(sent);
    // Yaw 30° from where the button went down, as Q:w,x,y,z with the sliders' H and S.
    expect(quaternions()[0]).toMatch(/^Q:0\.96592\d*,0,0,0\.25881\d*,H0,S1$/);

    // The keyboard holds it too: Space down streams, Space up stops.
    const held = quaternions().length;
    await hold.focus();
    await page.keyboard.down(' ');
    await page.locator('#tilt-hold[aria-pressed="true"]').waitFor({ timeout: WAIT_MS });
    await orient(60, 0, 0);
    await neckReceives(() => quaternions().length > held, 'the neck receives a quaternion while Space is held');
    await page.keyboard.up(' ');
    await expect(hold.getAttribute('aria-pressed')).resolves.toBe('false');
    expect(consoleErrors).toEqual([]);
  });

  it('tilt: Center sets the zero, gain and inversion shape the line, the settings stay in the browser, and a lost connection stops it', async () => {
    await logIn();
    await useTilt();
    await tiltSettings('off');
    await page.getByRole('slider', { name: 'Gain yaw' }).fill('2');
    await page.getByRole('checkbox', { name: 'Invert pitch' }).check();
    const readout = page.locator('#tilt-readout');
    await orient(100, 10, 0);
    await page.getByRole('button', { name: 'Center' }).click();
    await readout.getByText('yaw 0°, pitch 0°, roll 0° (zero: centered)').waitFor();
    await orient(110, 15, 0);
    // 10° of yaw at gain 2; 5° of pitch, inverted.
    await readout.getByText('yaw 20°, pitch -5°, roll 0° (zero: centered)').waitFor();
    // The head's clamps: a phone turned far goes no further than 90° of yaw and 60° of pitch (inverted here).
    await orient(200, 170, 0);
    await readout.getByText('yaw 90°, pitch -60°, roll 0° (zero: centered)').waitFor();

    const before = received().length;
    const quaternions = () =>
      received()
        .slice(before)
        .filter((line) => line.startsWith('Q:'));
    await pressHold();
    // Centered: the zero is where Center was pressed, not where the button went down.
    await orient(110, 20, 0);
    await neckReceives(() => quaternions().length > 0, 'the neck receives a quaternion');
    const expected = eulerToQuaternion(20, -10, 0).map((value) => formatNumber(value));
    expect(quaternions()[0]).toMatch(new RegExp(`^Q:${escape(expected.join(','))},H\\d+,S[\\d.]+$`));

    // The page's connection drops while the button is held: tilt stops at once and says why.
    const uuid = (await page.getByRole('status').textContent())?.replace('Connected as ', '');
    for (const socket of await hub.hub.io.fetchSockets()) if (socket.data.uuid === uuid) socket.disconnect(true);
    await page
      .locator('#tilt-error')
      .getByText(/^tilt stopped: the connection to the hub was lost/)
      .waitFor();
    await expect(page.locator('#tilt-hold').getAttribute('aria-pressed')).resolves.toBe('false');
    const stopped = quaternions().length;
    // The phone keeps turning, the finger still down: nothing is sent, then or once the page is back.
    await orient(150, 40, 0);
    await page.mouse.up();
    await page
      .getByRole('status')
      .getByText(/^Connected as /)
      .waitFor({ timeout: WAIT_MS });
    await sendFromConsole('HEALTH');
    await commandEntry('HEALTH').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    expect(quaternions().length).toBe(stopped);

    // The settings are kept in the browser: after a reload (the tab's key logs it in again) they are as set.
    await page.reload();
    await chosenNeck().getByText('firmware ready').waitFor({ timeout: WAIT_MS });
    await page.getByText('Tilt settings', { exact: true }).click();
    await expect(page.getByRole('slider', { name: 'Gain yaw' }).inputValue()).resolves.toBe('2');
    await expect(page.getByRole('checkbox', { name: 'Invert pitch' }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('checkbox', { name: 'Tilt filter' }).isChecked()).resolves.toBe(false);
    expect(consoleErrors).toEqual([]);
  });

  it('the tilt panel says what is missing: a secure page, an orientation sensor, a permission, readings', async () => {
    // Over http from another machine's point of view (a LAN address) the page is not a secure context.
    const [lan] = lanAddresses();
    if (lan === undefined) throw new Error('this machine has no LAN address to open the page from');
    const open = await TestHub.start({ host: '0.0.0.0' });
    try {
      await page.goto(`http://${lan}:${new URL(open.url).port}/app/`);
      await expect(page.evaluate('window.isSecureContext')).resolves.toBe(false);
      await expect(page.locator('#tilt-status').textContent()).resolves.toMatch(/^Tilt needs this page over HTTPS/);
      await expect(page.locator('#tilt-enable').isDisabled()).resolves.toBe(true);
    } finally {
      await open.close();
    }

    const noSensor = await context.newPage();
    await noSensor.addInitScript('delete window.DeviceOrientationEvent');
    await noSensor.goto(`${hub.url}/app/`);
    await expect(noSensor.locator('#tilt-status').textContent()).resolves.toBe(
      'This browser reports no orientation: use a phone or a tablet.',
    );
    await expect(noSensor.locator('#tilt-enable').isDisabled()).resolves.toBe(true);

    // A laptop: Chromium answers with one orientation event of nulls. The panel says so, and no word of a permission.
    const laptop = await context.newPage();
    await laptop.goto(`${hub.url}/app/`);
    await laptop
      .locator('#tilt-status')
      .getByText('This device reports no motion sensors (a laptop?): tilt steers the head from a phone or a tablet.')
      .waitFor({ state: 'attached' });

    // Refused (as iOS does when the person says no): the panel says where to allow it.
    const refused = await context.newPage();
    await refused.addInitScript("DeviceOrientationEvent.requestPermission = () => Promise.resolve('denied')");
    await logIn(refused);
    await refused.getByRole('button', { name: 'Allow motion sensors' }).click();
    await refused
      .locator('#tilt-error')
      .getByText(/^motion sensors were not allowed \(denied\); allow them for this site/)
      .waitFor();

    // Allowed, but no reading comes (a laptop has no sensor): after a moment the panel says so.
    await logIn();
    await useTilt();
    await page
      .locator('#tilt-status')
      .getByText(/^No orientation reading yet: this device may have no motion sensor/)
      .waitFor();
    await orient(1, 2, 3);
    await page
      .locator('#tilt-status')
      .getByText(/^Hold the button and tilt the phone/)
      .waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('shows who holds control, takes it with Take control, and STOP holds the neck until RELEASE', async () => {
    await logIn();
    const state = page.locator('#control-state');
    await state.getByText(/control free/).waitFor({ timeout: WAIT_MS });
    // Another operator moves the neck: the page shows it holds control, and the page's own move is refused.
    const other = await hub.connect('ui', 'other-operator');
    other.socket.emit('neck_command', { command: 'X15', id: 'other-1' });
    await state.getByText(/control held by other-operator/).waitFor({ timeout: WAIT_MS });
    await sendFromConsole('X25');
    await commandEntry('X25').getByText('rejected', { exact: true }).waitFor({ timeout: WAIT_MS });
    await expect(commandEntry('X25').textContent()).resolves.toContain('CONTROL_HELD');

    await page.getByRole('button', { name: 'Take control' }).click();
    await state.getByText(/you hold control/).waitFor({ timeout: WAIT_MS });
    await sendFromConsole('X26');
    await commandEntry('X26').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });

    await page.getByRole('button', { name: 'STOP', exact: true }).click();
    await state.getByText(/STOPPED by .* no motion until RELEASE/).waitFor({ timeout: WAIT_MS });
    const before = received().length;
    await sendFromConsole('X27');
    await commandEntry('X27').getByText('rejected', { exact: true }).waitFor({ timeout: WAIT_MS });
    await expect(commandEntry('X27').textContent()).resolves.toContain('STOPPED');
    await page.getByRole('button', { name: 'RELEASE', exact: true }).click();
    await state.getByText(/control free|you hold control/).waitFor({ timeout: WAIT_MS });
    await sendFromConsole('X28');
    await commandEntry('X28').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    // The earlier tests left the head somewhere: only X is ours.
    expect(
      received()
        .slice(before)
        .filter((line) => line.startsWith('X')),
    ).toEqual([expect.stringMatching(/^X28,Y-?\d+,/)]);
    other.socket.disconnect();
    expect(consoleErrors).toEqual([]);
  });

  it('shows a clear error for a wrong password', async () => {
    await page.goto(`${hub.url}/app/`);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .getByRole('alert')
      .getByText(/^Wrong password/)
      .waitFor({ timeout: WAIT_MS });
    await expect(page.getByRole('button', { name: 'Log in' }).isEnabled()).resolves.toBe(true);
    // Chromium reports the 401 of the login request itself; nothing else may appear.
    expect(consoleErrors.filter((error) => !/status of 401/.test(error))).toEqual([]);
  });

  it('says when the hub is unreachable', async () => {
    await page.goto(`${hub.url}/app/`);
    await page.route('**/login', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .getByRole('alert')
      .getByText(/^The hub is unreachable/)
      .waitFor({ timeout: WAIT_MS });
    expect(consoleErrors.filter((error) => !/ERR_CONNECTION_REFUSED/.test(error))).toEqual([]);
  });

  it('says how long to wait when the hub throttles logins', async () => {
    const strict = await TestHub.start({ auth: { maxFailedLogins: 1, failedLoginWindowSeconds: 60 } });
    try {
      await page.goto(`${strict.url}/app/`);
      // One free failure, then the page's uuid waits 2 s: the third attempt is told so.
      for (const expected of [/^Wrong password/, /^Wrong password/, /^Too many/]) {
        await page.getByLabel('Password').fill('wrong');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.getByRole('alert').getByText(expected).waitFor();
      }
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/refuses logins for \d+ s more/);
      await expect(page.getByRole('button', { name: 'Log in' }).isDisabled()).resolves.toBe(true);
      expect(consoleErrors.filter((error) => !/status of (401|429)/.test(error))).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('saves screenshots of the page in use, on a laptop and on a phone', async () => {
    await logIn();
    await page.getByRole('button', { name: 'HOME', exact: true }).click();
    await commandEntry('HOME').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    await page.getByRole('slider', { name: /^X/ }).fill('220');
    await page.getByRole('slider', { name: /^Y/ }).fill('-160');
    await page.getByRole('slider', { name: /^H/ }).fill('35');
    await page.getByRole('slider', { name: /^P/ }).fill('120');
    await neckReceives(() => received().at(-1) === 'X220,Y-160,Z0,H35,S1,A1,R0,P120', 'the neck receives the pose');
    await page.getByText(/^reported by neck web-test-neck/).waitFor({ timeout: WAIT_MS });
    await chosenNeck().getByText('X220,Y-160,Z0,H35,S1,A1,R0,P120').waitFor({ timeout: WAIT_MS });
    await sendFromConsole('HEALTH');
    await commandEntry('HEALTH').getByText('written', { exact: true }).waitFor({ timeout: WAIT_MS });
    await page
      .getByRole('log')
      .getByText(/^HEALTH\|DEVICE=NECK/)
      .first()
      .waitFor({ timeout: WAIT_MS });
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // A laptop's screen: the neck, the sliders and the log side by side, without scrolling.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
    const laptop = join(ROOT, 'test-artifacts', 'web-laptop.png');
    await page.screenshot({ path: laptop });
    // The platform picture is on that first screen too.
    const platform = await page.locator('#platform').boundingBox();
    expect(platform && platform.y + platform.height).toBeLessThanOrEqual(800);

    // A phone in portrait: what controls the neck comes first — the neck and its state, STOP, HOME, tilt.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const phoneShot = join(ROOT, 'test-artifacts', 'web-phone.png');
    try {
      const small = await phone.newPage();
      await logIn(small);
      await useTilt(small);
      await orient(20, 5, 0, small);
      await small.getByRole('button', { name: 'Center' }).click();
      await orient(35, -5, 3, small);
      await small
        .locator('#tilt-readout')
        .getByText(/^yaw 15°, pitch -10°, roll 3°/)
        .waitFor();
      // The first screen (what a phone shows without scrolling), and the whole page for a look at the rest.
      await small.screenshot({ path: phoneShot });
      await small.screenshot({ path: join(ROOT, 'test-artifacts', 'web-phone-full.png'), fullPage: true });
      const top = async (name: string) => (await small.getByRole('button', { name, exact: true }).boundingBox())?.y;
      // Nothing to scroll to for STOP, HOME or tilt.
      for (const name of ['STOP', 'HOME', 'Hold to move']) expect(await top(name)).toBeLessThan(844);
    } finally {
      await phone.close();
    }

    // The README's copies are committed: written when missing or asked for, so a test run leaves the tree clean.
    for (const [made, kept] of [
      [SCREENSHOT, README_SCREENSHOT],
      [laptop, LAPTOP_SCREENSHOT],
      [phoneShot, PHONE_SCREENSHOT],
    ] as const) {
      if (existsSync(kept) && process.env.NECK_UPDATE_SCREENSHOT !== '1') continue;
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      copyFileSync(made, kept);
    }
    expect(consoleErrors).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
