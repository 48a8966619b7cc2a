import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_FIRMWARE_TIMING, DEFAULT_LEASE_MS, DEFAULT_STALE_AFTER_MS, NeckAgent } from '@neck-signal/agent';
import { easeAt } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from './support/hub';

/**
 * The page's recordings panel and "smooth" switch, in Debian's Chromium against a real hub and an agent that
 * records, driving its virtual neck (the strict one of --simulate).
 */

const ROOT = join(__dirname, '..');
const WAIT_MS = 20_000;
const LAUNCH = { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] };

describe('web page: recordings and smooth moves (chromium)', () => {
  let hub: TestHub;
  let agent: NeckAgent;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'web', 'app.js'))) throw new Error('run `npm run build` first (dist/web)');
    hub = await TestHub.start();
    dir = mkdtempSync(join(tmpdir(), 'neck-web-recordings-'));
    agent = new NeckAgent({
      configDir: dir,
      serverUrl: hub.url,
      password: TEST_PASSWORD,
      uuid: 'web-recording-neck',
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
      recording: { enabled: true, dir: join(dir, 'recordings'), budgetBytes: 64 * 1024 * 1024 },
    });
    const ready = new Promise<void>((resolve) => {
      const stop = agent.relay.onStatus((status) => {
        if (status.firmware.state !== 'ready' || status.pose === null) return;
        stop();
        resolve();
      });
    });
    agent.start();
    await ready;
    browser = await chromium.launch(LAUNCH);
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(`${hub.url}/`);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('group', { name: 'Chosen neck' }).getByText('firmware ready').waitFor({ timeout: WAIT_MS });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Adversary: a download that garbles bytes, or a list that shows what the neck does not have.
  it('lists the neck’s recordings and downloads one byte for byte', async () => {
    await page.getByRole('button', { name: 'List recordings' }).click();
    const list = page.getByRole('list', { name: 'Recordings of the neck' });
    await list.getByText(/being written/).waitFor({ timeout: WAIT_MS });
    const id = agent.recorder?.currentId ?? '';
    expect(await list.getByRole('listitem').count()).toBe(1);
    const download = page.waitForEvent('download', { timeout: WAIT_MS });
    await page.getByRole('button', { name: `Download ${id}` }).click();
    const saved = join(dir, 'downloaded.mcap');
    await (await download).saveAs(saved);
    const copy = readFileSync(saved);
    const original = readFileSync(join(dir, 'recordings', `${id}.mcap`));
    expect(copy.subarray(0, 8).toString('latin1')).toBe('\x89MCAP0\r\n');
    expect(original.subarray(0, copy.length).equals(copy)).toBe(true);
  });

  // Adversary: a switch that says "smooth" while the neck still jumps to the target in one line.
  it('with "smooth" on, a slider move reaches the neck as a min-jerk GOTO, not one jump', async () => {
    const neck = agent.virtualNeck;
    if (!neck) throw new Error('no virtual neck');
    await page.getByRole('checkbox', { name: /Smooth/ }).check();
    const before = neck.received.length;
    await page.getByRole('slider', { name: /^X/ }).fill('200');
    await page
      .getByRole('log')
      .locator('code.line', { hasText: /^GOTO X200(,.*)? IN 400 EASE MINJERK$/ })
      .first()
      .waitFor({ timeout: WAIT_MS })
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nthe log: ${await page.getByRole('log').textContent()}`);
      });
    await new Promise<void>((resolve) => {
      const done = () => neck.received.slice(before).some((line) => line.startsWith('X200,'));
      if (done()) return resolve();
      const stop = neck.onReceived(() => {
        if (!done()) return;
        stop();
        resolve();
      });
    });
    const moves = neck.received.slice(before).filter((line) => line.startsWith('X'));
    // 20 steps of 20 ms; the first ones move little (min-jerk starts at rest).
    expect(moves.length).toBeGreaterThan(5);
    expect(Number(/^X(-?\d+)/.exec(moves[0])?.[1])).toBeLessThanOrEqual(Math.ceil(200 * easeAt('minjerk', 2 / 20)));
    expect(moves.at(-1)).toMatch(/^X200,/);
  });
});
