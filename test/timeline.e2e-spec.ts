import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import { HOMING_DURATION_MS, TimelineStatsDto, byteTimeMs, validatePayload } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub, nextEvent } from './support/hub';
import { Program, startNeck } from './support/program';

/** `(hub 0.2, link 1.1, agent 4.4, queue 0.1, fence 4700, wire 2.3)` as numbers, by hop. */
function hopsOf(line: string): Record<string, number> {
  const inside = /\(([^)]*)\) from neck /.exec(line)?.[1];
  if (inside === undefined) throw new Error(`no timeline in ${JSON.stringify(line)}`);
  return Object.fromEntries(
    inside.split(', ').map((part) => {
      const [hop = '', ms = ''] = part.split(' ');
      return [hop, Number(ms)];
    }),
  );
}

/** Where the milliseconds go (issue 13), through the built `neck` and `neck-agent` on a virtual neck. */
describe('command timelines (built)', () => {
  let hub: TestHub;
  let agent: Program;
  let agentDir: string;
  let dir: string;
  const running: Program[] = [];

  const neck = (args: string[]) => {
    const program = startNeck(args, { configDir: dir, hubUrl: hub.url, password: TEST_PASSWORD });
    running.push(program);
    return program;
  };
  const ackLine = (program: Program) => program.output.find((line) => line.startsWith('ack '));

  beforeAll(async () => {
    hub = await TestHub.start();
    dir = mkdtempSync(join(tmpdir(), 'neck-timeline-e2e-'));
    agentDir = mkdtempSync(join(tmpdir(), 'neck-timeline-e2e-agent-'));
    const watcher = await hub.connect('observer', 'timeline-watcher');
    // Ready once it has homed: from then on a command waits for nothing but the wire.
    const homed = nextEvent(
      watcher.socket,
      'neck_status',
      30_000,
      (status) => status.firmware.state === 'ready' && status.pose !== null,
    );
    agent = Program.start(
      'neck-agent',
      ['-s', hub.url, '-u', 'timeline-neck', '--simulate', '--config-dir', agentDir],
      {
        PEER_SHARED_SECRET: TEST_PASSWORD,
      },
    );
    await homed;
    watcher.socket.disconnect();
  });

  afterAll(async () => {
    await agent.stop();
    await hub.close();
    rmSync(agentDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
  });

  it('neck stats says there is nothing yet before any command was relayed', async () => {
    const stats = neck(['stats']);
    expect(await stats.exit()).toEqual({ code: 0, signal: null });
    expect(stats.output).toEqual(['no commands relayed yet: send one with neck send']);
  });

  it('neck send prints each hop: hub, link, agent, queue, wire, which add up to the round trip', async () => {
    const send = neck(['send', 'X50']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    const line = ackLine(send) ?? '';
    expect(line).toMatch(
      /^ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms \(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+, wire [\d.]+\) from neck timeline-neck$/,
    );
    const hops = hopsOf(line);
    const roundTrip = Number(/ in (\d+) ms/.exec(line)?.[1]);
    // 26 bytes at 115200 baud take 2.26 ms on the wire (printed to one decimal).
    expect(hops.wire).toBeGreaterThanOrEqual(2.2);
    expect(hops.agent).toBeGreaterThanOrEqual(hops.queue + hops.wire - 0.2);
    // Each hop printed to one decimal or whole ms; the client's round trip also holds the way to and from the hub.
    expect(hops.hub + hops.link + hops.agent).toBeLessThanOrEqual(roundTrip + 1.5);
  });

  it('a command sent while the neck homes waits in the queue, behind the HOME’s fence', async () => {
    const home = neck(['send', 'HOME']);
    expect(await home.exit()).toEqual({ code: 0, signal: null });
    const sentAt = performance.now();
    const held = neck(['send', '1:20']);
    expect(await held.exit(30_000)).toEqual({ code: 0, signal: null });
    const waited = performance.now() - sentAt;
    const hops = hopsOf(ackLine(held) ?? '');
    // The HOME blocks the firmware for 5.05 s; the CLI took some of that to start and log in.
    expect(hops.queue).toBeGreaterThan(1000);
    expect(hops.queue).toBeLessThan(HOMING_DURATION_MS.HOME + 1000);
    expect(hops.queue).toBeLessThan(waited);
    expect(hops.fence).toBeGreaterThan(hops.queue - 10);
    expect(hops.fence).toBeLessThanOrEqual(hops.queue);
    expect(hops.wire).toBeGreaterThanOrEqual(5 * byteTimeMs(115_200) - 0.05);
  });

  it('neck stats prints p50, p95 and max of each hop over those commands; --json the TimelineStatsDto', async () => {
    const json = neck(['stats', '--json']);
    expect(await json.exit()).toEqual({ code: 0, signal: null });
    const checked = validatePayload(TimelineStatsDto, JSON.parse(json.output.join('\n')));
    if (!checked.ok) throw new Error(checked.message);
    const stats = checked.value;
    expect(stats.commands).toBe(3);
    expect(stats.fence?.count).toBe(1);
    expect(stats.wire?.count).toBe(3);
    expect(stats.queue?.max).toBeGreaterThan(1000);

    const text = neck(['stats']);
    expect(await text.exit()).toEqual({ code: 0, signal: null });
    expect(text.output[0]).toBe(
      `${hub.url}: the last 3 commands the hub relayed (it keeps ${stats.window}); each hop on its own machine's clock`,
    );
    expect(text.output[1]).toMatch(/^hop +count +p50 ms +p95 ms +max ms$/);
    expect(text.output.slice(2).map((row) => row.split(/ +/)[0])).toEqual([
      'span',
      'hub',
      'link',
      'agent',
      'queue',
      'fence',
      'wire',
    ]);
    expect(text.output.find((row) => row.startsWith('fence'))).toMatch(/^fence +1 +\d+ +\d+ +\d+$/);
  });

  it('neck stats --help says what each hop is', async () => {
    const help = neck(['stats', '--help']);
    expect(await help.exit()).toEqual({ code: 0, signal: null });
    const text = help.output.join('\n');
    for (const hop of ['span', 'hub', 'link', 'agent', 'queue', 'fence', 'wire']) {
      expect(text).toMatch(new RegExp(`^ +${hop} +\\S`, 'm'));
    }
    expect(text).toMatch(/never compared/);
  });

  it('the REPL prints the timeline with each ack', async () => {
    const repl = neck(['repl']);
    repl.child.stdin?.end('X10\n');
    expect(await repl.exit()).toEqual({ code: 0, signal: null });
    // Sent as broadcast-message: the agent's part, and the hub's when it stamps what it relays.
    expect(repl.output.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(
        /^ack written X10,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms \((hub [\d.]+, link [\d.]+, )?agent [\d.]+, queue [\d.]+, wire [\d.]+\) from neck timeline-neck$/,
      ),
    ]);
  });

  it('a lone pose waits for the wire once: agent ≈ queue + wire, not queue + 2 × wire (--simulate; a tty’s slow drain: firmware-session.spec)', async () => {
    const client = new HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'timeline-lone', role: 'ui' });
    await client.connect();
    try {
      // The CLI's sends before may still hold the control lease.
      expect((await client.sendCommand('TAKE')).ack.status).toBe('applied');
      const line = 'X-700,Y-700,Z-700,H70,S4.19,A10,R-700,P-700';
      const wireMs = (line.length + 1) * byteTimeMs(115_200);
      const beyond: number[] = [];
      for (let i = 0; i < 5; i++) {
        // Each waits for its ack: nothing else is queued or on the wire.
        const { ack } = await client.sendCommand(i % 2 === 0 ? 'X-700,Y-700,Z-700,H70,S4.19,A10,R-700,P-700' : 'X0');
        expect(ack.status).toBe('written');
        const timeline = ack.timeline;
        if (timeline === undefined || i % 2 === 1) continue;
        expect(ack.command).toBe(line);
        expect(timeline.wireMs).toBeGreaterThanOrEqual(wireMs - 0.01);
        beyond.push(timeline.agentMs - timeline.queueMs - (timeline.wireMs ?? 0));
      }
      process.stdout.write(
        `timeline e2e: a lone ${line.length + 1}-byte pose: agent − queue − wire = ${beyond.map((ms) => ms.toFixed(2)).join(', ')} ms (wire ${wireMs.toFixed(2)} ms)\n`,
      );
      // What the agent adds beyond queue and wire (parsing, timers) is less than a second wire time.
      expect(Math.min(...beyond)).toBeLessThan(wireMs);
    } finally {
      await client.close();
    }
  });
});
