import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import { HeadPoseTracker, PeerMessageDeliveryDto, parseNeckCommand } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub, nextEvent } from '../../../../test/support/hub';
import { freePort } from '../../../../test/support/redis-server';
import {
  ManualShutdown,
  ScriptedAsker,
  TestContext,
  quietNestLogs,
  runCli,
  startCli,
  SimulatedNeck,
  startSimulatedNeck,
  tempDir,
} from '../../test/cli-test-kit';

/** An ack's timeline as the REPL prints it: the hub's part (its stamp on the broadcast-message) and the agent's. */
const WRITTEN = String.raw`\(hub [\d.]+, link [\d.]+, agent [\d.]+, queue [\d.]+, wire [\d.]+\)`;
const REFUSED = String.raw`\(hub [\d.]+, link [\d.]+, agent [\d.]+, queue 0\)`;
/** `ack written LINE in N ms (…) from neck NECK`, the line taken literally. */
const written = (line: string, neck = 'test-neck') =>
  new RegExp(`^ack written ${line.replace(/[|]/g, '\\$&')} in \\d+ ms ${WRITTEN} from neck ${neck}$`);

describe('neck repl', () => {
  let hub: TestHub;
  let sim: SimulatedNeck;
  let dir: { path: string; remove: () => void };
  const env = () => ({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD, NECK_HUB_URL: hub.url });

  beforeAll(() => quietNestLogs());

  beforeEach(async () => {
    dir = tempDir('neck-repl-');
    hub = await TestHub.start();
    sim = await startSimulatedNeck(hub.url, dir.path);
  });

  afterEach(async () => {
    await sim.stop();
    await hub.close();
    dir.remove();
  });

  it('from a pipe: sends each line, prints its ack with the merged pose, and exits 0 at the end', async () => {
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    context.stdin.end('X50\nY-20\n');
    await run.done;
    const { output } = run;
    expect(output.code).toBe(0);
    expect(output.lines).toContainEqual(
      expect.stringMatching(/^READY you are \S+-cli-[0-9a-f]{4} on http:\/\/127\.0\.0\.1:\d+; 1 neck: test-neck$/),
    );
    const acks = output.lines.filter((line) => line.startsWith('ack '));
    expect(acks).toEqual([
      expect.stringMatching(written('X50,Y0,Z0,H0,S1,A1,R0,P0')),
      expect.stringMatching(written('X50,Y-20,Z0,H0,S1,A1,R0,P0')),
    ]);
    expect(sim.neck.received).toContain('X50,Y-20,Z0,H0,S1,A1,R0,P0');
  });

  it('prints why a line is invalid and sends nothing of it', async () => {
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    context.stdin.end('X9999\nHOME_SOFT|X10\n');
    await run.done;
    const { output } = run;
    expect(output.errors).toContain('invalid: X9999: X must be an integer from -700 to 700 (nothing sent)');
    expect(output.lines.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(/^ack written HOME_SOFT\|X10,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms/),
    ]);
    expect(sim.neck.received.some((line) => line.includes('9999'))).toBe(false);
    expect(output.code).toBe(0);
  });

  it('sends GOTO and POSE to the agent, which eases the head there; a bad one is refused here and sends nothing', async () => {
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    context.stdin.end('GOTO X40,Y-10 IN 100\nGOTO X40 IN 99999999\nPOSE SAVE nod\n');
    await run.done;
    const { output } = run;
    expect(output.errors).toContainEqual(expect.stringMatching(/^invalid: .*IN.* \(nothing sent\)$/));
    expect(output.lines.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(/^ack applied GOTO X40,Y-10 IN 100 EASE MINJERK in \d+ ms /),
      expect.stringMatching(/^ack applied POSE SAVE nod\b/),
    ]);
    // The eased move ends where it was sent, and nothing of the refused one reached the neck.
    expect(sim.neck.received.at(-1)).toBe('X40,Y-10,Z0,H0,S1,A1,R0,P0');
    expect(output.code).toBe(0);
  });

  it('shows a neck’s rejection with its reason', async () => {
    await sim.stop();
    sim = await startSimulatedNeck(hub.url, dir.path, { limits: { X: { min: -100, max: 100 } } });
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    context.stdin.end('X500\n');
    await run.done;
    expect(run.output.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ack rejected X500 in \\d+ ms ${REFUSED} from neck test-neck: X500: X must be an integer from -100 to 100 \\[OUT_OF_RANGE\\]$`,
        ),
      ),
    ]);
  });

  it('shows firmware output and peers joining and leaving while it runs', async () => {
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^READY/);
    context.type('HOME_SOFT');
    await run.output.waitFor(/^neck test-neck says: Executing HOME_SOFT command\.\.\.$/);
    const other = await hub.connect('ui', 'other-operator');
    await run.output.waitFor(/^peer joined: other-operator \(ui\)$/);
    other.socket.disconnect();
    await run.output.waitFor(/^peer left: other-operator \(ui\)$/);
    context.stdin.end();
    await run.done;
    expect(run.output.code).toBe(0);
  });

  it(':target sends to one peer with peer-message, :all to everyone again', async () => {
    const watcher = await hub.connect('ui', 'watcher');
    const seen: PeerMessageDeliveryDto[] = [];
    watcher.socket.on('peer-message', (message) => seen.push(message));
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^READY/);
    context.type(':target test-neck');
    await run.output.waitFor(/^commands now go to test-neck only \(peer-message\)/);
    context.type('X10');
    await run.output.waitFor(/^ack written X10,/);
    expect(seen).toEqual([]);
    context.type(':all');
    const broadcast = nextEvent(watcher.socket, 'peer-message');
    context.type('X20');
    await run.output.waitFor(/^ack written X20,/);
    expect((await broadcast).message).toBe('X20');
    context.type(':target nobody');
    await run.output.waitFor(/^! no peer nobody is connected; connected: /);
    context.stdin.end();
    await run.done;
  });

  it('without a password and without a terminal exits 2 naming PEER_SHARED_SECRET', async () => {
    const output = await runCli(['repl', '-s', hub.url], { context: new TestContext({ NECK_CONFIG_DIR: dir.path }) });
    expect(output.code).toBe(2);
    expect(output.errors.join('\n')).toMatch(/PEER_SHARED_SECRET/);
    expect(output.lines).toEqual([]);
  });

  it('stops at once on a wrong password (retrying would lock everyone out), exit 2', async () => {
    const context = new TestContext({ ...env(), PEER_SHARED_SECRET: 'wrong' });
    const output = await runCli(['repl'], { context });
    expect(output.code).toBe(2);
    expect(output.errors).toEqual([expect.stringMatching(/refused the password.*fix PEER_SHARED_SECRET/)]);
  });

  it('says why it retries while the hub is unreachable, and gives up after --connect-timeout (exit 3)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const context = new TestContext({ ...env(), NECK_HUB_URL: closed });
    const output = await runCli(['repl', '--connect-timeout', '1.5'], { context });
    expect(output.errors[0]).toBe(
      `login failed: hub at ${closed} is unreachable (ECONNREFUSED); retrying in 3 s (attempt 1 failed)`,
    );
    expect(output.errors.at(-1)).toBe(
      `neck: no answer from the hub at ${closed} within 1.5 s (hub at ${closed} is unreachable (ECONNREFUSED))`,
    );
    expect(output.code).toBe(3);
  });

  it('at a terminal: asks only what nothing answers, prompts, keeps a history file and quits on quit', async () => {
    const asker = new ScriptedAsker([hub.url, TEST_PASSWORD]);
    const context = new TestContext({ NECK_CONFIG_DIR: dir.path }, true);
    const run = await startCli(['repl'], { context, asker });
    await run.output.waitFor(/^type help for commands/);
    // The hub URL and the password; the uuid is a name from this host, not a question.
    expect(asker.asked).toHaveLength(2);
    context.type('x50, y-20');
    await run.output.waitFor(written('X50,Y-20,Z0,H0,S1,A1,R0,P0'));
    context.type('help');
    await run.output.waitFor(/^REPL commands:$/);
    context.type('quit');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(context.written.join('')).toContain('neck> ');
    const history = join(dir.path, 'repl_history');
    expect(readFileSync(history, 'utf8')).toBe('x50, y-20\nhelp\nquit\n');
    expect(statSync(history).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir.path, 'cli.json'), 'utf8'))).toEqual({
      server_url: hub.url,
      uuid: expect.stringMatching(/-cli-[0-9a-f]{4}$/),
    });
  });

  it('asks nothing at a terminal when flags and the environment answer everything', async () => {
    const asker = new ScriptedAsker([]);
    const context = new TestContext({ NECK_CONFIG_DIR: dir.path, PEER_SHARED_SECRET: TEST_PASSWORD }, true);
    const run = await startCli(['repl', '-s', hub.url], { context, asker });
    await run.output.waitFor(/^type help for commands/);
    expect(asker.asked).toEqual([]);
    context.type('quit');
    await run.done;
    expect(run.output.code).toBe(0);
  });

  it('says control changes once and plainly: nothing when your own lease lapses, who took it, STOP and RELEASE', async () => {
    // The adversary: a lease that lapses after every move (300 ms here) and another operator moving in between.
    await sim.stop();
    sim = await startSimulatedNeck(hub.url, dir.path, { leaseMs: 300 });
    const watcher = await hub.connect('ui', 'watcher');
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^READY .*1 neck: test-neck$/);
    const lapsed = new Promise<void>((resolve) =>
      watcher.socket.on('neck_status', (status) => {
        if (status.control.holder === null && run.output.lines.some((line) => line.startsWith('ack written X10'))) {
          resolve();
        }
      }),
    );
    context.type('X10');
    await run.output.waitFor(written('X10,Y0,Z0,H0,S1,A1,R0,P0'));
    await lapsed;
    const other = new HubClient({ url: hub.url, password: TEST_PASSWORD, uuid: 'other-operator', role: 'ui' });
    try {
      await other.connect();
      expect((await other.sendCommand('X20', { via: 'neck_command' })).ack.status).toBe('written');
      // Statuses reach the REPL in order: once this is said, the lapse before it has been seen (and not said).
      await run.output.waitFor(/^other-operator now controls neck test-neck$/);
      expect((await other.sendCommand('X30', { via: 'neck_command' })).ack.status).toBe('written');
      expect((await other.sendCommand('STOP', { via: 'neck_command' })).ack.status).toBe('applied');
      await run.output.waitFor(/^! neck test-neck: STOPPED by other-operator: no motion until RELEASE$/);
      context.type('RELEASE');
      await run.output.waitFor(/^neck test-neck: released; it takes motion again$/);
      context.type('STOP');
      await run.output.waitFor(/^! neck test-neck: STOPPED by you: no motion until RELEASE$/);
    } finally {
      await other.close();
    }
    context.stdin.end();
    await run.done;
    const said = run.output.transcript;
    expect(said.filter((line) => /controls neck/.test(line))).toEqual(['other-operator now controls neck test-neck']);
    expect(said.filter((line) => /control free|lost control|you hold/.test(line))).toEqual([]);
    expect(said.filter((line) => /serial open/.test(line))).toHaveLength(1);
  });

  it('at a terminal: Ctrl-D leaves, tab completes keywords', async () => {
    const context = new TestContext(env(), true);
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^type help for commands/);
    context.stdin.write('home_s\t');
    await context.waitForWritten('home_soft');
    context.stdin.write('\r');
    await run.output.waitFor(/^ack written HOME_SOFT in \d+ ms/);
    context.stdin.write('\u0004');
    await run.done;
    expect(run.output.code).toBe(0);
  });

  it('at a terminal: Ctrl-C clears what was typed, and leaves on an empty line', async () => {
    const context = new TestContext(env(), true);
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^type help for commands/);
    context.stdin.write('X9999');
    await context.waitForWritten('X9999');
    context.stdin.write('\u0003');
    context.type('HOME_SOFT');
    await run.output.waitFor(/^ack written HOME_SOFT in \d+ ms/);
    context.stdin.write('\u0003');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.text()).not.toMatch(/9999/);
  });

  it('prints each ack once: every neck a line went to with its round trip, others’ without one', async () => {
    const second = await hub.connect('neck', 'second-neck');
    second.socket.on('peer-message', ({ peerId, message, id }) =>
      second.socket.emit('neck_ack', { command: message, status: 'written', to: peerId, ...(id ? { id } : {}) }),
    );
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    await run.output.waitFor(/^READY/);
    context.type('X50');
    await run.output.waitFor(written('X50,Y0,Z0,H0,S1,A1,R0,P0'));
    // A neck that reports no timeline (the original Python agent): the round trip alone.
    await run.output.waitFor(/^ack written X50 in \d+ ms from neck second-neck$/);
    // An ack for a command someone else sent, without id (the Python agent acks every operator).
    second.socket.emit('neck_ack', { command: 'Y5' });
    await run.output.waitFor(/^ack written Y5 from neck second-neck$/);
    context.stdin.end();
    await run.done;
    // The two necks answer in either order.
    const acks = run.output.lines.filter((line) => line.startsWith('ack '));
    expect(acks).toHaveLength(3);
    expect(acks).toEqual(
      expect.arrayContaining([
        expect.stringMatching(written('X50,Y0,Z0,H0,S1,A1,R0,P0')),
        expect.stringMatching(/^ack written X50 in \d+ ms from neck second-neck$/),
        'ack written Y5 from neck second-neck',
      ]),
    );
  });

  it('takes acks without an id (the seed’s Python agent) as the answer to the line sent', async () => {
    await sim.stop();
    const seedAgent = await hub.connect('neck', 'python-neck');
    seedAgent.socket.on('peer-message', (message) => seedAgent.socket.emit('neck_ack', { command: message.message }));
    const context = new TestContext(env());
    const run = await startCli(['repl', '--timeout', '2'], { context });
    context.stdin.end('X50\n');
    await run.done;
    expect(run.output.lines.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(/^ack written X50 in \d+ ms from neck python-neck$/),
    ]);
    expect(run.output.errors).toEqual([]);
  });

  it('takes acks without an id carrying the merged pose (the original Python agent) as the answer', async () => {
    await sim.stop();
    // It keeps the pose and writes the full line, as the firmware needs; it acks that line, and nothing else.
    const pose = new HeadPoseTracker();
    const seedAgent = await hub.connect('neck', 'python-neck');
    seedAgent.socket.on('peer-message', ({ message }) => {
      const parsed = parseNeckCommand(message);
      const merged = parsed.ok ? pose.merge(parsed.command) : undefined;
      if (merged?.ok) seedAgent.socket.emit('neck_ack', { command: merged.line });
    });
    const context = new TestContext(env());
    const run = await startCli(['repl', '--timeout', '2'], { context });
    context.stdin.end('X50\nY-20\nHOME_SOFT|Z5\nX50\n');
    await run.done;
    expect(run.output.errors).toEqual([]);
    expect(run.output.lines.filter((line) => line.startsWith('ack '))).toEqual([
      expect.stringMatching(/^ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms from neck python-neck$/),
      expect.stringMatching(/^ack written X50,Y-20,Z0,H0,S1,A1,R0,P0 in \d+ ms from neck python-neck$/),
      expect.stringMatching(/^ack written HOME_SOFT\|X0,Y0,Z5,H0,S1,A1,R0,P0 in \d+ ms from neck python-neck$/),
      expect.stringMatching(/^ack written X50,Y0,Z5,H0,S1,A1,R0,P0 in \d+ ms from neck python-neck$/),
    ]);
  });

  it('understands .help and .exit as Node’s REPL does', async () => {
    const context = new TestContext(env());
    const run = await startCli(['repl'], { context });
    context.stdin.end('.help\n.exit\nX50\n');
    await run.done;
    expect(run.output.errors).toEqual([]);
    expect(run.output.lines).toContain('REPL commands:');
    expect(run.output.lines.filter((line) => line.startsWith('ack '))).toEqual([]);
    expect(run.output.code).toBe(0);
  });

  it('ends with 0 on SIGTERM, also while a command waits for its ack', async () => {
    await sim.stop();
    const silent = await hub.connect('neck', 'silent-neck');
    const shutdown = new ManualShutdown();
    const context = new TestContext(env());
    const run = await startCli(['repl', '--timeout', '60'], { context, shutdown });
    try {
      await run.output.waitFor(/^READY/);
      const relayed = nextEvent(silent.socket, 'peer-message');
      context.type('X50');
      await relayed;
    } finally {
      shutdown.trigger('SIGTERM');
    }
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.errors).toEqual([]);
  });

  it('ends with 0 on SIGTERM while it is still trying to reach the hub', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const shutdown = new ManualShutdown();
    const context = new TestContext({ ...env(), NECK_HUB_URL: closed });
    const run = await startCli(['repl', '--connect-timeout', '60'], { context, shutdown });
    await run.output.waitFor(/^! login failed: hub at .* is unreachable/);
    shutdown.trigger('SIGTERM');
    await run.done;
    expect(run.output.code).toBe(0);
    expect(run.output.text()).not.toMatch(/^! neck: /m);
  });

  it('says in plain words when the hub is gone and that a line typed meanwhile was not sent', async () => {
    const own = await TestHub.start();
    const context = new TestContext({ ...env(), NECK_HUB_URL: own.url });
    const run = await startCli(['repl'], { context });
    try {
      await run.output.waitFor(/^READY/);
      await own.close();
      // socket.io's reason depends on how the socket ended (transport close, transport error…); none is shown raw.
      const lost = await run.output.waitFor(/^! lost /);
      expect(lost).toMatch(
        /^! lost the connection to the hub \((the connection closed|a network error|the hub ended the session)\); reconnecting…$/,
      );
      context.type('x5');
      await run.output.waitFor(/X5 was not sent/);
    } finally {
      context.stdin.end();
      await run.done;
    }
    expect(run.output.errors).toContain(
      'X5 was not sent: the hub is not connected right now (reconnecting); type it again once "connected to the hub again" shows',
    );
    expect(run.output.text()).not.toMatch(/transport|io server|NotConnectedError/);
  });
});
