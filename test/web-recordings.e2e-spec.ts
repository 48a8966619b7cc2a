import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_FIRMWARE_TIMING, DEFAULT_LEASE_MS, DEFAULT_STALE_AFTER_MS, NeckAgent } from '@neck-signal/agent';
import { easeAt } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from './support/hub';

/**
 * The page's recordings panel (with the agent's replay progress), presets and "smooth" switch, in Debian's
 * Chromium against a real hub and an agent that records, driving its virtual neck (the strict one of --simulate).
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

  /** Resolves once the neck has received a line `matches` accepts after index `from`. */
  function untilReceived(from: number, matches: (line: string) => boolean): Promise<void> {
    const neck = agent.virtualNeck;
    if (!neck) throw new Error('no virtual neck');
    return new Promise<void>((resolve) => {
      const done = () => neck.received.slice(from).some(matches);
      if (done()) return resolve();
      const stop = neck.onReceived(() => {
        if (!done()) return;
        stop();
        resolve();
      });
    });
  }

  // Adversary: presets the neck does not keep, a bad name that still reaches the neck, a preset that jumps.
  it('saves the current pose as a preset (kept by the agent) and goes back to it, eased when smooth is on', async () => {
    const neck = agent.virtualNeck;
    if (!neck) throw new Error('no virtual neck');
    const error = page.locator('#preset-error');
    await page.getByLabel('Save the current pose as').fill('../etc');
    await page.getByRole('button', { name: 'Save preset' }).click();
    await error.getByText(/preset name is 1-32 letters/).waitFor({ timeout: WAIT_MS });

    await page.getByLabel('Save the current pose as').fill('web-left');
    await page.getByRole('button', { name: 'Save preset' }).click();
    // Listed once the agent's neck_status says it keeps it.
    const go = page.getByRole('button', { name: 'Go to preset web-left' });
    await go.waitFor({ timeout: WAIT_MS });
    expect(agent.relay.status().poses).toEqual(['web-left']);
    const saved = agent.relay.status().pose;

    await page.getByRole('checkbox', { name: /Smooth/ }).uncheck();
    const moved = neck.received.length;
    await page.getByRole('slider', { name: /^X/ }).fill('-150');
    await untilReceived(moved, (line) => line.startsWith('X-150,'));

    await page.getByRole('checkbox', { name: /Smooth/ }).check();
    const before = neck.received.length;
    await go.click();
    const target = `X${saved?.X ?? NaN},`;
    await untilReceived(before, (line) => line.startsWith(target));
    const eased = neck.received.slice(before).filter((line) => line.startsWith('X'));
    expect(eased.length).toBeGreaterThan(5);
    expect(eased.at(-1)).toMatch(new RegExp(`^${target}`));

    // Smooth off: the preset is one line (IN 0), no path.
    await page.getByRole('slider', { name: /^X/ }).fill('-150');
    await untilReceived(neck.received.length, (line) => line.startsWith('X-150,'));
    await page.getByRole('checkbox', { name: /Smooth/ }).uncheck();
    const jump = neck.received.length;
    await go.click();
    await untilReceived(jump, (line) => line.startsWith(target));
    expect(neck.received.slice(jump).filter((line) => line.startsWith('X'))).toEqual([
      expect.stringMatching(new RegExp(`^${target}`)),
    ]);
  });

  // Adversary: a progress shown by the page's own clock, and a Stop that lets the replay go on.
  it('replays a recording from the page, shows the agent’s progress, and its Stop ends the replay', async () => {
    const neck = agent.virtualNeck;
    if (!neck) throw new Error('no virtual neck');
    await page.getByRole('button', { name: 'List recordings' }).click();
    const id = agent.recorder?.currentId ?? '';
    await page.getByRole('button', { name: `Replay ${id}` }).click();
    const progress = page.locator('#replay-progress-text');
    await progress.getByText(new RegExp(`^Replaying ${id} for .*: [\\d.]+ s of [\\d.]+ s \\(\\d+%\\)$`)).waitFor({
      timeout: WAIT_MS,
    });
    await page.getByRole('button', { name: 'Stop replay (STOP)' }).click();
    await progress.getByText(new RegExp(`^Replay of ${id} stopped at`)).waitFor({ timeout: WAIT_MS });
    const replay = agent.relay.status().replay;
    expect(replay).toMatchObject({ id, state: 'rejected' });
    expect(replay?.atMs).toBeLessThan(replay?.totalMs ?? 0);
    // Nothing moves after the page showed the replay stopped (a HEALTH fence from the console, after RELEASE,
    // proves the neck read on).
    const stopped = neck.received.length;
    await page.getByRole('textbox', { name: 'Command', exact: true }).fill('RELEASE');
    await page.getByRole('textbox', { name: 'Command', exact: true }).press('Enter');
    await page.getByRole('textbox', { name: 'Command', exact: true }).fill('HEALTH');
    await page.getByRole('textbox', { name: 'Command', exact: true }).press('Enter');
    await untilReceived(stopped, (line) => line === 'HEALTH');
    expect(neck.received.slice(stopped).filter((line) => line.startsWith('X'))).toEqual([]);
  });
});
