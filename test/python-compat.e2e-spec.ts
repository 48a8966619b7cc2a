import { TEST_PASSWORD, TestHub, collect, nextEvent, HUB_STAMP } from './support/hub';
import { SeedPeer } from './support/seed-peer';

describe.each(['polling', 'websocket'])('the original Python clients over %s', (transport) => {
  let hub: TestHub;
  const peers: SeedPeer[] = [];
  const start = (uuid: string, mode: 'agent' | 'ui') => {
    const peer = SeedPeer.start(hub.url, uuid, transport, mode, TEST_PASSWORD);
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
    expect(delivered.data).toEqual({ peerId: ui.socket.id, uuid: 'node-ui', message: 'X30', hub: HUB_STAMP });
    // The seed agent acks with {command} only: the hub sends it to every non-neck peer as written.
    expect(await ack).toEqual({ command: 'X30', status: 'written', peerId: connected.sid });
  });

  it('a seed agent (it names no role) gets commands while no neck is connected, and once it acks is a neck', async () => {
    const ui = await hub.connect('ui', 'node-ui');
    const agent = start('seed-agent', 'agent');
    const connected = await agent.waitFor((e) => e.event === 'connected');
    const seedNeck = { id: connected.sid, uuid: 'seed-agent', roles: ['neck'] };
    const filed = nextEvent(
      ui.socket,
      'new-peer',
      15_000,
      (peer) => peer.id === connected.sid && peer.roles.includes('neck'),
    );
    const ack = nextEvent(ui.socket, 'neck_ack');
    const refused = collect(ui.socket, 'error-message');
    // The adversary: a hub that only trusts declared roles would answer NO_NECK and the original agent never runs.
    ui.socket.emit('neck_command', { command: 'X20', id: 'c1' });
    expect((await agent.waitFor((e) => e.event === 'neck_command')).data).toMatchObject({ command: 'X20', id: 'c1' });
    expect(await ack).toEqual({ command: 'X20', status: 'written', peerId: connected.sid });
    expect(await filed).toEqual(seedNeck);
    expect(refused).toEqual([]);
    const health = (await (await fetch(`${hub.url}/`)).json()) as { quietNecks: unknown[] };
    expect(health.quietNecks).toEqual([seedNeck]);
    // Peers that join later are told it is a neck, and a command aimed at it is accepted.
    const late = await hub.connect('ui', 'late-ui');
    expect(late.peers).toContainEqual(seedNeck);
    const aimed = nextEvent(late.socket, 'neck_ack');
    late.socket.emit('neck_command', { command: 'HOME', target: connected.sid });
    expect(await aimed).toMatchObject({ command: 'HOME', peerId: connected.sid });
  });

  it('a seed UI broadcasts typed lines that a Node neck receives as peer-message', async () => {
    const neck = await hub.connect('neck', 'node-neck');
    const ui = start('seed-ui', 'ui');
    const connected = await ui.waitFor((e) => e.event === 'connected');
    const message = nextEvent(neck.socket, 'peer-message');
    ui.send('HOME');
    expect(await message).toEqual({ peerId: connected.sid, uuid: 'seed-ui', message: 'HOME', hub: HUB_STAMP });
  });
});

// Over websocket only: python-socketio's disconnect over long-polling waits on its pending poll and can take
// until the ping timeout, which would test the client library rather than the hub.
describe('the original Python UI leaving (websocket)', () => {
  it('is announced to the other peers with its sid', async () => {
    const hub = await TestHub.start();
    const ui = SeedPeer.start(hub.url, 'seed-leaver', 'websocket', 'ui', TEST_PASSWORD);
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
