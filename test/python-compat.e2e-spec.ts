import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_PASSWORD, TestHub, nextEvent } from './support/hub';

// Debian's python3 with python3-socketio 5 (provided by the test bootstrap: scripts/system-deps.js).
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'support', 'seed_peer.py');

interface SeedEvent {
  event: string;
  sid?: string;
  transport?: string;
  data?: Record<string, unknown>;
  peer?: Record<string, unknown>;
  peers?: unknown[];
}

class SeedPeer {
  readonly events: SeedEvent[] = [];
  private readonly waiters: { accept: (e: SeedEvent) => boolean; resolve: (e: SeedEvent) => void }[] = [];
  private stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline)) as SeedEvent;
        buffer = buffer.slice(newline + 1);
        this.events.push(event);
        for (const waiter of this.waiters.filter((w) => w.accept(event))) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static start(url: string, uuid: string, transport: string, mode: 'agent' | 'ui'): SeedPeer {
    return new SeedPeer(spawn(PYTHON, ['-u', SCRIPT, url, TEST_PASSWORD, uuid, transport, mode]));
  }

  waitFor(accept: (event: SeedEvent) => boolean, timeoutMs = 15_000): Promise<SeedEvent> {
    const seen = this.events.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`python peer: timed out; stderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push({
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

describe.each(['polling', 'websocket'])('the original Python clients over %s', (transport) => {
  let hub: TestHub;
  const peers: SeedPeer[] = [];
  const start = (uuid: string, mode: 'agent' | 'ui') => {
    const peer = SeedPeer.start(hub.url, uuid, transport, mode);
    peers.push(peer);
    return peer;
  };

  beforeEach(async () => {
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.stop()));
    await hub.close();
  });

  it('a seed agent logs in, connects with auth={token}, gets commands and its acks reach the UI', async () => {
    const ui = await hub.connect('ui', 'node-ui');
    const joined = nextEvent(ui.socket, 'new-peer', 15_000, (peer) => peer.uuid === 'seed-agent');
    const agent = start('seed-agent', 'agent');
    const connected = await agent.waitFor((e) => e.event === 'connected');
    expect(connected.transport).toBe(transport);
    expect((await agent.waitFor((e) => e.event === 'existing-peers')).peers).toEqual([
      { id: ui.socket.id, uuid: 'node-ui', roles: ['ui'] },
    ]);
    expect(await joined).toEqual({ id: connected.sid, uuid: 'seed-agent', roles: ['ui'] });

    const ack = nextEvent(ui.socket, 'neck_ack');
    ui.socket.emit('broadcast-message', { message: 'X30' });
    const delivered = await agent.waitFor((e) => e.event === 'peer-message');
    expect(delivered.data).toEqual({ peerId: ui.socket.id, uuid: 'node-ui', message: 'X30' });
    // The seed agent acks with {command} only: the hub sends it to every non-neck peer as written.
    expect(await ack).toEqual({ command: 'X30', status: 'written', peerId: connected.sid });
  });

  it('a seed UI broadcasts typed lines that a Node neck receives as peer-message', async () => {
    const neck = await hub.connect('neck', 'node-neck');
    const ui = start('seed-ui', 'ui');
    const connected = await ui.waitFor((e) => e.event === 'connected');
    const message = nextEvent(neck.socket, 'peer-message');
    ui.send('HOME');
    expect(await message).toEqual({ peerId: connected.sid, message: 'HOME' });
  });
});

// Over websocket only: python-socketio's disconnect over long-polling waits on its pending poll and can take
// until the ping timeout, which would test the client library rather than the hub.
describe('the original Python UI leaving (websocket)', () => {
  it('is announced to the other peers with its sid', async () => {
    const hub = await TestHub.start();
    const ui = SeedPeer.start(hub.url, 'seed-leaver', 'websocket', 'ui');
    try {
      const neck = await hub.connect('neck', 'node-neck-2');
      const connected = await ui.waitFor((e) => e.event === 'connected');
      const left = nextEvent(neck.socket, 'peer-disconnect', 15_000);
      await ui.stop();
      expect(await left).toBe(connected.sid);
    } finally {
      await ui.stop();
      await hub.close();
    }
  });
});
