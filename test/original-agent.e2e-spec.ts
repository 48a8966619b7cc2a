import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadPoseTracker, parseNeckCommand } from '@neck-signal/protocol';
import { TEST_PASSWORD, TestHub, TestPeer, nextEvent } from './support/hub';
import { Program, startNeck } from './support/program';

/**
 * The original Python agent as issue 14 describes it: it logs in with the password and no role, keeps the head
 * pose, writes every command as the full merged line and acks `{command: <that line>}` — no id, no status, no `to`,
 * no timeline. Here a real socket.io-client plays it.
 */
class OriginalAgent {
  readonly written: string[] = [];
  private readonly pose = new HeadPoseTracker();

  private constructor(readonly socket: TestPeer) {
    socket.on('peer-message', ({ message }) => this.command(message));
    socket.on('neck_command', ({ command }) => this.command(command));
  }

  static async start(hub: TestHub, uuid: string): Promise<OriginalAgent> {
    const { token } = await hub.login({ uuid });
    const socket = hub.peer({ token });
    const agent = new OriginalAgent(socket);
    await nextEvent(socket, 'existing-peers');
    return agent;
  }

  private command(text: string): void {
    const parsed = parseNeckCommand(text);
    const merged = parsed.ok ? this.pose.merge(parsed.command) : undefined;
    const line = merged?.ok ? merged.line : text;
    this.written.push(line);
    this.socket.emit('neck_ack', { command: line });
  }
}

/** The built `neck` against an original agent, which acks the merged line it wrote and nothing else. */
describe('neck with the original Python agent (built)', () => {
  let hub: TestHub;
  let agent: OriginalAgent;
  let dir: string;
  const running: Program[] = [];

  const neck = (args: string[]) => {
    const program = startNeck(args, { configDir: dir, hubUrl: hub.url, password: TEST_PASSWORD });
    running.push(program);
    return program;
  };
  const acks = (program: Program) => program.output.filter((line) => line.startsWith('ack '));

  beforeAll(async () => {
    hub = await TestHub.start();
    dir = mkdtempSync(join(tmpdir(), 'neck-original-agent-e2e-'));
    agent = await OriginalAgent.start(hub, 'original-agent');
  });

  afterAll(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((program) => program.kill()));
  });

  it('the REPL takes each merged-line ack as the answer to what was typed, without a timeline', async () => {
    const repl = neck(['repl', '--timeout', '3']);
    repl.child.stdin?.end('X50\nY-20\nHOME_SOFT|Z5\nX50\n');
    expect(await repl.exit()).toEqual({ code: 0, signal: null });
    expect(repl.output.join('\n')).not.toMatch(/no ack for/);
    expect(acks(repl)).toEqual([
      expect.stringMatching(/^ack written X50,Y0,Z0,H0,S1,A1,R0,P0 in \d+ ms from neck original-agent$/),
      expect.stringMatching(/^ack written X50,Y-20,Z0,H0,S1,A1,R0,P0 in \d+ ms from neck original-agent$/),
      expect.stringMatching(/^ack written HOME_SOFT\|X0,Y0,Z5,H0,S1,A1,R0,P0 in \d+ ms from neck original-agent$/),
      expect.stringMatching(/^ack written X50,Y0,Z5,H0,S1,A1,R0,P0 in \d+ ms from neck original-agent$/),
    ]);
    expect(agent.written).toEqual([
      'X50,Y0,Z0,H0,S1,A1,R0,P0',
      'X50,Y-20,Z0,H0,S1,A1,R0,P0',
      'HOME_SOFT|X0,Y0,Z5,H0,S1,A1,R0,P0',
      'X50,Y0,Z5,H0,S1,A1,R0,P0',
    ]);
  });

  it('once it has answered, neck send drives it too (neck_command), matching its merged line', async () => {
    const send = neck(['send', 'Y-20', '--timeout', '5']);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(send.output).toEqual([
      expect.stringMatching(/^ack written X50,Y-20,Z5,H0,S1,A1,R0,P0 in \d+ ms from neck original-agent$/),
    ]);
  });
});
