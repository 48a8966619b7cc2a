import { TimelineStatsDto, validatePayload } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub } from '../../../../test/support/hub';
import { freePort } from '../../../../test/support/redis-server';
import {
  SimulatedNeck,
  TestContext,
  quietNestLogs,
  runCli,
  startSimulatedNeck,
  tempDir,
} from '../../test/cli-test-kit';
import { NOTHING_YET, describeTimelineStats } from './stats.command';

describe('neck stats', () => {
  describe('the table', () => {
    it('one row per hop: count, p50, p95 and max in ms, a dash where no command measured it', () => {
      const stats: TimelineStatsDto = {
        window: 500,
        commands: 3,
        span: { count: 3, p50: 7.14, p95: 9.8, max: 15.2 },
        hub: { count: 3, p50: 0.21, p95: 0.4, max: 1.1 },
        link: { count: 3, p50: 1.1, p95: 2, max: 4.8 },
        agent: { count: 3, p50: 4.4, p95: 5013.2, max: 5013.2 },
        queue: { count: 3, p50: 0.1, p95: 5010.3, max: 5010.3 },
        wire: { count: 3, p50: 2.26, p95: 2.26, max: 2.34 },
      };
      expect(describeTimelineStats('http://127.0.0.1:5000', stats)).toEqual([
        "http://127.0.0.1:5000: the last 3 commands the hub relayed (it keeps 500); each hop on its own machine's clock",
        'hop    count  p50 ms  p95 ms  max ms',
        'span       3     7.1     9.8      15',
        'hub        3     0.2     0.4     1.1',
        'link       3     1.1       2     4.8',
        'agent      3     4.4    5013    5013',
        'queue      3     0.1    5010    5010',
        'fence      0       -       -       -',
        'wire       3     2.3     2.3     2.3',
      ]);
    });

    it('says plainly when there is nothing yet', () => {
      expect(describeTimelineStats('http://hub', { window: 500, commands: 0 })).toEqual([NOTHING_YET]);
    });
  });

  describe('against a hub', () => {
    let hub: TestHub;
    let dir: { path: string; remove: () => void };
    let sim: SimulatedNeck | undefined;
    const context = (url = hub.url) =>
      new TestContext({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD, NECK_HUB_URL: url });

    beforeAll(() => quietNestLogs());

    beforeEach(async () => {
      dir = tempDir('neck-stats-');
      hub = await TestHub.start();
    });

    afterEach(async () => {
      await sim?.stop();
      sim = undefined;
      await hub.close();
      dir.remove();
    });

    it('says there is nothing yet before any command, as text and as JSON', async () => {
      const text = await runCli(['stats'], { context: context() });
      expect([text.code, text.lines, text.errors]).toEqual([0, [NOTHING_YET], []]);
      const json = await runCli(['stats', '--json'], { context: context() });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.lines.join('\n'))).toEqual({ window: expect.any(Number), commands: 0 });
    });

    it('sums up the hops of the commands sent, as a table and as the TimelineStatsDto', async () => {
      sim = await startSimulatedNeck(hub.url, dir.path);
      for (const command of ['X50', 'Y-20', 'HEALTH']) {
        expect((await runCli(['send', command], { context: context() })).code).toBe(0);
      }
      const json = await runCli(['stats', '--json'], { context: context() });
      expect(json.code).toBe(0);
      const checked = validatePayload(TimelineStatsDto, JSON.parse(json.lines.join('\n')));
      if (!checked.ok) throw new Error(checked.message);
      const stats = checked.value;
      expect(stats.commands).toBe(3);
      for (const hop of ['span', 'hub', 'link', 'agent', 'queue', 'wire'] as const) {
        expect(stats[hop]?.count).toBe(3);
        expect(stats[hop]?.p50).toBeLessThanOrEqual(stats[hop]?.p95 ?? -1);
        expect(stats[hop]?.p95).toBeLessThanOrEqual(stats[hop]?.max ?? -1);
      }
      // The wire is never faster than 115200 baud: HEALTH\n is 7 bytes, 0.6 ms.
      expect(stats.wire?.p50).toBeGreaterThanOrEqual(0.6);
      expect(stats.fence).toBeUndefined();

      const text = await runCli(['stats'], { context: context() });
      expect(text.code).toBe(0);
      expect(text.lines[0]).toBe(
        `${hub.url}: the last 3 commands the hub relayed (it keeps ${stats.window}); each hop on its own machine's clock`,
      );
      expect(text.lines.slice(1).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
        ['hop', 'count'],
        ['span', '3'],
        ['hub', '3'],
        ['link', '3'],
        ['agent', '3'],
        ['queue', '3'],
        ['fence', '0'],
        ['wire', '3'],
      ]);
    });

    it('exits 3 when the hub is unreachable', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const output = await runCli(['stats', '--timeout', '1'], { context: context(url) });
      expect(output.code).toBe(3);
      expect(output.errors).toEqual([`neck: the hub at ${url} is unreachable (ECONNREFUSED)`]);
    });
  });
});
