import { HOME_POSE, Events, type NeckAckDeliveryDto } from '@neck-signal/protocol';
import {
  AGENT_UUID,
  HOMING_SCALE,
  LONG_LINE,
  WAIT_MS,
  attachNeck,
  bounded,
  bytesOf,
  closeRig,
  count,
  escapeRegExp,
  expectWritten,
  nextStatus,
  nthNeckOutput,
  nthOutput,
  startHub,
  startRig,
  track,
  within,
} from './support/neck-rig';

afterEach(() => closeRig());

describe('neck-agent on a socat PTY pair, with the hub and agent as programs', () => {
  it('writes the exact canonical bytes for a sequence of commands, after its HEALTH probe (the board homed itself as it booted)', async () => {
    const rig = await startRig();
    const { neck, agent, startup } = rig;
    // Silent while the board boots, then HEALTH, answered once its boot homing is over: that was the HOME.
    expect(startup).toEqual(['HEALTH']);
    expect(neck.wire).toBe(bytesOf(startup));
    await agent.waitFor(/homed itself as it booted/);

    // Partial head commands merge into the pose; HOME* resets it; a quaternion sets X Y Z from yaw,
    // pitch, roll with R=P=0. Each waits for its ack, so no pose is superseded by the next. Every line with
    // a HOME in it is followed by the agent's HEALTH fence.
    const steps: [text: string, line: string][] = [
      ['X50', 'X50,Y0,Z0,H0,S1,A1,R0,P0'],
      ['y-20', 'X50,Y-20,Z0,H0,S1,A1,R0,P0'],
      [' x10 , s1.50 ', 'X10,Y-20,Z0,H0,S1.5,A1,R0,P0'],
      ['HOME_SOFT', 'HOME_SOFT'],
      ['z5', 'X0,Y0,Z5,H0,S1,A1,R0,P0'],
      ['1:55,2:60.5', '1:55,2:60.5'],
      ['Q:0.9239,0,0.3827,0,H30', 'Q:0.9239,0,0.3827,0,H30'],
      ['h10', 'X0,Y45,Z0,H10,S1,A1,R0,P0'],
      ['home_soft|x10', 'HOME_SOFT|X10,Y0,Z0,H0,S1,A1,R0,P0'],
      ['home', 'HOME'],
      ['p-5', 'X0,Y0,Z0,H0,S1,A1,R0,P-5'],
    ];
    const peerIds = new Set<string>();
    const expected = [...startup];
    for (const [index, [text, line]] of steps.entries()) {
      // The agent takes neck_command and peer-message (the seed's broadcast) alike.
      const ack = await expectWritten(rig, text, line, index % 2 === 0 ? 'neck_command' : 'broadcast');
      peerIds.add(ack.peerId);
      expected.push(line, ...(line.includes('HOME') ? ['HEALTH'] : []));
      await neck.untilReceived(expected.length);
      await agent.waitFor(new RegExp(`wrote ${escapeRegExp(line)}$`));
    }

    expect(peerIds.size).toBe(1);
    expect(neck.received).toEqual(expected);
    expect(neck.wire).toBe(bytesOf(expected));
    // The firmware (simulated) understood the last line as the pose we meant, and lost nothing.
    await neck.idle();
    expect(neck.pose).toEqual({ ...HOME_POSE, P: -5 });
    expect(count(neck.received, 'HOME')).toBe(1);
    expect(agent.output.filter((line) => /wrote HOME$/.test(line))).toHaveLength(1);
    expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0, splitLines: 0, refusedSettings: 0 });
  });

  it('rejects invalid commands naming the token, and not one byte of them reaches the neck', async () => {
    const rig = await startRig();
    const { neck, ui } = rig;
    await expectWritten(rig, 'X40', 'X40,Y0,Z0,H0,S1,A1,R0,P0');
    await neck.untilReceived(rig.startup.length + 1);
    const received = neck.received;
    const wire = neck.wire;

    const invalid: [text: string, code: string, named: string | RegExp][] = [
      ['X9999', 'OUT_OF_RANGE', 'X9999'],
      ['hello', 'UNKNOWN_COMMAND', 'hello'],
      ['X5\nHOME', 'CONTROL_CHARACTER', /line breaks/],
      ['x50,x20', 'DUPLICATE_AXIS', 'x20'],
      ['Q:0,0,0,0', 'QUATERNION_ZERO', 'Q:0,0,0,0'],
      // What the firmware would refuse silently or mis-compute.
      ['S5', 'OUT_OF_RANGE', 'S5'],
      ['s0', 'OUT_OF_RANGE', 's0'],
      ['A0', 'OUT_OF_RANGE', 'A0'],
      ['Q:0.7071,0,0.7071,0', 'QUATERNION_PITCH', 'Q:0.7071,0,0.7071,0'],
      ['Q:1,0,0,0,H10,S1,A1', 'QUATERNION_EXTRAS', 'A1'],
    ];
    for (const [text, code, named] of invalid) {
      const { ack } = await ui.sendCommand(text, { via: 'neck_command' });
      expect(ack).toMatchObject({ command: text, status: 'rejected', error: { code } });
      if (typeof named === 'string') {
        expect(ack.error?.token).toBe(named);
        expect(ack.error?.message).toContain(named);
      } else {
        expect(ack.error?.message).toMatch(named);
      }
    }

    // A barrier: once this line has arrived, anything written before it would have arrived too. The
    // rejected X9999 and x50 did not move the agent's pose either: X stays 40.
    const barrier = 'X40,Y7,Z0,H0,S1,A1,R0,P0';
    await expectWritten(rig, 'Y7', barrier);
    await neck.untilReceived(received.length + 1);
    expect(neck.received).toEqual([...received, barrier]);
    expect(neck.wire).toBe(`${wire}${barrier}\n`);
  });

  it('unplug: reports the port down, rejects commands meanwhile; replug: the reset board homes once, nothing replayed', async () => {
    const rig = await startRig({ neck: { homingScale: HOMING_SCALE, bootBanner: [LONG_LINE] } });
    const { agent, ui, dir } = rig;
    await expectWritten(rig, 'X30', 'X30,Y0,Z0,H0,S1,A1,R0,P0');
    await rig.neck.untilReceived(rig.startup.length + 1);

    // Pull the plug while the firmware is talking and the agent is not writing (a write would fail on the
    // hung-up tty and give the unplug away), so the agent is mid-read when the line hangs up: the neck reboots
    // every 350 ms and prints a long boot banner each time it has booted (300 ms). Long lines, not many: each
    // line is a neck_output, and the hub takes at most 300 messages a second from a peer.
    const chatter = setInterval(() => rig.neck.boot(), 350);
    const down = nextStatus(ui, (status) => status.serial.state === 'down');
    let unpluggedAt: number;
    try {
      await nthNeckOutput(ui, /^#+$/, 3);
      unpluggedAt = performance.now();
      await rig.pty.kill();
    } finally {
      clearInterval(chatter);
    }
    const { status, at } = await down;
    const downAfterMs = Math.round(at - unpluggedAt);
    process.stdout.write(`agent-serial e2e: neck_status down ${downAfterMs} ms after the unplug\n`);
    expect(status.serial).toMatchObject({ state: 'down', path: null, error: expect.any(String) });
    expect(status.uuid).toBe(AGENT_UUID);
    // The README says the port is reported down "at once"; 2 s is the bound held here.
    expect(downAfterMs).toBeLessThan(2_000);
    // The in-process neck's end may miss the hang-up (serialport spins on a hung-up tty); close it ourselves.
    await bounded(rig.attachment.close(), 'the old neck attachment to close');

    const outage = ['X10', 'HOME', '1:20', 'Q:1,0,0,0'];
    for (const text of outage) {
      const { ack } = await ui.sendCommand(text, { via: 'neck_command' });
      expect(ack).toMatchObject({ command: text, status: 'rejected', error: { code: 'PORT_DOWN' } });
    }

    const open = nextStatus(ui, (next) => next.serial.state === 'open');
    const pty = await rig.pty.replug();
    track(() => pty.close());
    expect([pty.dir, pty.neckPath, pty.agentPath]).toEqual([dir, rig.pty.neckPath, rig.pty.agentPath]);
    const { neck } = await attachNeck(pty.neckPath, { homingScale: HOMING_SCALE });
    const ready = nextStatus(ui, (next) => next.firmware.state === 'ready' && next.pose !== null);
    await pty.connected();
    // The agent opened the port again: a DevKit resets.
    neck.reset();
    expect((await open).status.serial).toMatchObject({ state: 'open', path: pty.agentPath });
    await ready;
    // Its boot homing (the reset's) is this opening's HOME: the agent asks HEALTH and writes no HOME of its own.
    expect(await neck.untilReceived(1)).toEqual(['HEALTH']);
    await nthOutput(agent, /homed itself as it booted/, 2);

    // A barrier: the homing reset the pose (X30 is gone), and nothing from the outage follows it.
    const barrier = 'X0,Y15,Z0,H0,S1,A1,R0,P0';
    await expectWritten(rig, 'y15', barrier);
    await neck.untilReceived(2);
    expect(neck.received).toEqual(['HEALTH', barrier]);
    expect(neck.wire).toBe(bytesOf(['HEALTH', barrier]));
    expect(neck.stats.bytesLost).toBe(0);
    expect(agent.output.filter((line) => /wrote HOME$/.test(line))).toHaveLength(0);
  });

  it('hub restart: the agent reconnects and commands flow again, without a second HOME', async () => {
    // A board that does not reset when its port opens, so that the agent writes this opening's HOME itself.
    const rig = await startRig({ resetOnOpen: false });
    const { neck, agent, ui, startup } = rig;
    const first = 'X20,Y0,Z0,H0,S1,A1,R0,P0';
    await expectWritten(rig, 'X20', first);
    await neck.untilReceived(startup.length + 1);
    await nthOutput(agent, /connected to http:\/\/127\.0\.0\.1:\d+ as e2e-neck/, 1);

    expect(await rig.hub.stop()).toEqual({ code: 0, signal: null });
    await agent.waitFor(/disconnected from the hub/);
    const uiBack = within<string>(
      WAIT_MS,
      () => 'the UI to reconnect',
      (resolve) => ui.onLifecycle('connected', resolve),
    );
    const neckBack = nextStatus(ui, (status) => status.serial.state === 'open');

    // Same port and config dir: same URL, same JWT secret (saved in .env by the first hub) and password.
    const { port } = await startHub(rig.hubConfigDir, rig.hubPort);
    expect(port).toBe(rig.hubPort);
    await nthOutput(agent, /connected to http:\/\/127\.0\.0\.1:\d+ as e2e-neck/, 2);
    await uiBack;
    expect((await neckBack).status).toMatchObject({ uuid: AGENT_UUID, serial: { state: 'open' } });

    // The agent kept its pose across the reconnect (Y merges into X20) and sent no HOME.
    const second = 'X20,Y-30,Z0,H0,S1,A1,R0,P0';
    await expectWritten(rig, 'y-30', second);
    await neck.untilReceived(startup.length + 2);
    expect(neck.received).toEqual([...startup, first, second]);
    expect(neck.wire).toBe(bytesOf([...startup, first, second]));
    expect(startup).toEqual(['HEALTH', 'HOME', 'HEALTH']);
    expect(count(neck.received, 'HOME')).toBe(1);
    expect(agent.output.filter((line) => /wrote HOME$/.test(line))).toHaveLength(1);
  });

  describe.each([
    ['current', 'answers HEALTH: the agent fences each HOME with HEALTH'],
    ['legacy', 'never answers (before Feb 2026): the agent waits out the known homing time'],
  ] as const)('a 100 Hz operator stream while the HOME runs, on ESP32 timing; firmware %s', (firmware, how) => {
    it(`loses nothing and ends at the final pose right after homing (${how})`, async () => {
      // Real timing: boot (0.3 s) and homing (5.05 s) as on the board, a 256-byte UART, bytes at the wire's rate.
      const rig = await startRig({ neck: { firmware }, waitReady: false });
      const { neck, ui, agent } = rig;
      const ran: { line: string; at: number }[] = [];
      neck.onRun((line) => ran.push({ line, at: performance.now() }));
      const states: { state: string; at: number }[] = [];
      neck.onState((state) => states.push({ state, at: performance.now() }));
      const acks = new Map<string, NeckAckDeliveryDto[]>();
      ui.on(Events.NeckAck, (ack) => {
        if (ack.id !== undefined) acks.set(ack.id, [...(acks.get(ack.id) ?? []), ack]);
      });

      // Once the neck reads (its boot homing over), the operator sends HOME and streams the moment it is written.
      await nextStatus(ui, (status) => status.firmware.state === 'ready', 30_000);
      const home = ui.sendCommand('HOME', { via: 'neck_command' });
      await agent.waitFor(/wrote HOME$/, 30_000);
      const sent: Promise<unknown>[] = [];
      const ids: string[] = [];
      const send = (text: string) => {
        const result = ui.sendCommand(text, { via: 'neck_command' });
        sent.push(result.then(({ ack }) => ids.push(ack.id ?? '?')));
      };
      for (let i = 0; i < 300; i++) {
        send(`X${(i % 200) - 100},Y${(i % 50) - 25},H${i % 40}`);
        if (i === 150) send('1:20');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const finalPose = { X: 42, Y: -17, Z: 5, H: 20, S: 1.5, A: 1, R: 0, P: 0 };
      send('X42,Y-17,Z5,H20,S1.5');
      await bounded(Promise.all(sent), 'an ack for every command', 30_000);
      expect((await home).ack).toMatchObject({ command: 'HOME', status: 'written' });
      const finalLine = 'X42,Y-17,Z5,H20,S1.5,A1,R0,P0';
      // Its `written` ack can come before the bytes have crossed the PTY and socat: idle() knows only what arrived.
      await neck.untilLine(finalLine);
      await bounded(neck.idle(), 'the neck to be idle');

      const homingEnded = states.filter((entry) => entry.state === 'reading').at(-1)?.at ?? NaN;
      const finalRan = ran.find((entry) => entry.line === finalLine)?.at ?? NaN;
      const delayMs = Math.round(finalRan - homingEnded);
      const all = [...acks.values()].flat();
      const written = all.filter((ack) => ack.status === 'written');
      // From the operator's HOME on (before it: the agent's HEALTH probes).
      const ranLines = ran.map((entry) => entry.line).slice(ran.findIndex((entry) => entry.line === 'HOME'));
      const unread = written.filter((ack) => !ranLines.includes(ack.command)).length;
      process.stdout.write(
        `agent-serial e2e (${firmware} firmware): 100 Hz stream during HOME: ${neck.stats.bytesLost} bytes lost, ` +
          `${neck.stats.garbledLines} garbled lines, the final pose ran ${delayMs} ms after homing ended, ` +
          `${unread} written acks named lines the firmware did not run, ${all.length} acks for ${sent.length} commands\n`,
      );

      expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0, splitLines: 0, refusedSettings: 0 });
      expect(count(ranLines, '1:20')).toBe(1);
      expect(neck.pose).toEqual(finalPose);
      expect(ranLines.at(-1)).toBe(finalLine);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(500);
      // Every command exactly one ack; a written ack names a line the firmware ran, in the order it ran them.
      expect(acks.size).toBe(sent.length + 1);
      expect([...acks.values()].every((list) => list.length === 1)).toBe(true);
      expect(unread).toBe(0);
      // The agent's own lines: its HEALTH fence behind the HOME (on firmware that answers).
      expect(written.map((ack) => ack.command)).toEqual(ranLines.filter((line) => line !== 'HEALTH'));
      expect(written.map((ack) => ack.command)).toEqual(['HOME', '1:20', finalLine]);
      expect(all.filter((ack) => ack.status === 'superseded')).toHaveLength(300);
    });
  });

  describe('one homing per opening of the port (issue 21), on ESP32 timing', () => {
    it('adversary: a DevKit that resets as its port opens and homes by itself; that homing is the HOME, none follows', async () => {
      const rig = await startRig({ neck: {}, waitReady: false });
      const { neck, agent } = rig;
      const openedAt = performance.now();
      const homings: number[] = [];
      neck.onState((state) => {
        if (state === 'homing') homings.push(performance.now());
      });
      const { at: readyAt } = await nextStatus(
        rig.ui,
        (status) => status.firmware.state === 'ready' && status.pose !== null,
        30_000,
      );
      await agent.waitFor(/homed itself as it booted/);
      const readyAfterMs = Math.round(readyAt - openedAt);
      process.stdout.write(`agent-serial e2e: a reset board is ready ${readyAfterMs} ms after the agent opened it\n`);
      // Boot (0.3 s) and one homing (5.05 s), not two (10.4 s).
      expect(readyAfterMs).toBeLessThan(300 + 2 * 5050);
      expect(readyAfterMs).toBeGreaterThanOrEqual(5050);
      expect(neck.received).toEqual(['HEALTH']);
      expect(homings).toHaveLength(1);
      expect(agent.output.filter((line) => /wrote HOME$/.test(line))).toHaveLength(0);
      await expectWritten(rig, 'X5', 'X5,Y0,Z0,H0,S1,A1,R0,P0');
    });

    it('adversary: a board that keeps running when its port opens (no reset, no homing to see); it still gets its HOME', async () => {
      const rig = await startRig({ neck: {}, resetOnOpen: false });
      const { neck, agent, startup } = rig;
      expect(startup).toEqual(['HEALTH', 'HOME', 'HEALTH']);
      expect(agent.output.filter((line) => /wrote HOME$/.test(line))).toHaveLength(1);
      expect(agent.output.some((line) => /homed itself/.test(line))).toBe(false);
      await expectWritten(rig, 'X5', 'X5,Y0,Z0,H0,S1,A1,R0,P0');
      expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0 });
    });
  });

  describe('flow control around what the firmware prints (issue 22)', () => {
    it('adversary: output that blocks the firmware’s reading (HEALTH bursts, quaternion debug lines) amid a 100 Hz stream, refused actuators and a HOME: nothing lost, every written line ran', async () => {
      const rig = await startRig();
      const { neck, ui } = rig;
      // What the firmware runs from here on: the startup probe ran before.
      const ran: string[] = [];
      neck.onRun((line) => ran.push(line));
      const results: Promise<NeckAckDeliveryDto>[] = [];
      const send = (text: string) => results.push(ui.sendCommand(text, { via: 'neck_command' }).then(({ ack }) => ack));
      const refused = ['0:1', '7:5', '1:20,9:1'];
      for (let i = 0; i < 200; i++) {
        // Every other pose a quaternion: the firmware answers each with an 85-byte debug line.
        const yaw = ((i * 7) % 120) - 60;
        const half = (yaw * Math.PI) / 360;
        send(
          i % 2 === 0
            ? `X${yaw},Y${(i % 30) - 15},H${i % 40}`
            : `Q:${Math.cos(half).toFixed(4)},0,0,${Math.sin(half).toFixed(4)},H20`,
        );
        if (i % 20 === 5) send('HEALTH');
        if (i % 40 === 10) send(refused[Math.floor(i / 40) % refused.length] ?? '0:1');
        if (i === 60 || i === 150) {
          // A burst: four HEALTH answers (≈ 600 bytes, 52 ms of the firmware's TX) and eight discrete commands at once.
          for (let k = 0; k < 4; k++) send('STATUS');
          for (let k = 0; k < 8; k++) send(`1:${20 + k},2:${20 + k},3:${20 + k},4:${20 + k},5:${20 + k},6:${20 + k}`);
        }
        if (i === 100) send('HOME');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const acks = await bounded(Promise.all(results), 'an ack for every command', 30_000);
      await bounded(neck.idle(), 'the neck to be idle');

      const written = acks.filter((ack) => ack.status === 'written').map((ack) => ack.command);
      const rejected = acks.filter((ack) => ack.status === 'rejected');
      process.stdout.write(
        `agent-serial e2e: output-heavy 100 Hz stream: ${neck.stats.bytesLost} bytes lost, ${neck.stats.garbledLines} garbled, ` +
          `${written.length} written, ${acks.filter((ack) => ack.status === 'superseded').length} superseded, ` +
          `${neck.printed.length} lines printed by the firmware\n`,
      );
      expect(neck.stats).toMatchObject({ bytesLost: 0, garbledLines: 0, splitLines: 0, refusedSettings: 0 });
      // Refused actuator numbers never reach the wire.
      expect(rejected.map((ack) => ack.error?.code)).toEqual(rejected.map(() => 'BAD_ACTUATOR'));
      expect(rejected.length).toBeGreaterThanOrEqual(5);
      for (const text of refused) expect(neck.wire).not.toContain(`${text}\n`);
      // Every written ack names a line the firmware ran, in the order it ran them (the agent's own HEALTH fence
      // behind the HOME is the one line the firmware ran that no ack names).
      expect(ran).toHaveLength(written.length + 1);
      const fence = ran.indexOf('HOME') + 1;
      expect(ran[fence]).toBe('HEALTH');
      expect([...ran.slice(0, fence), ...ran.slice(fence + 1)]).toEqual(written);
      expect(written.filter((line) => line === 'STATUS')).toHaveLength(8);
      expect(neck.printed.filter((line) => line.startsWith('HEALTH|')).length).toBeGreaterThanOrEqual(8 + 10);
    });
  });
});
