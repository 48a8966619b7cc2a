import { NeckStatusDto } from '@neck-signal/protocol';
import { TestHub, nextEvent, HUB_STAMP } from './support/hub';
import { RedisServer } from './support/redis-server';

describe('hubs side by side through a real Redis (--redis)', () => {
  let redis: RedisServer;
  let hubA: TestHub;
  let hubB: TestHub;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await redis.stop();
  });

  beforeEach(async () => {
    hubA = await TestHub.start({ redisUrl: redis.url });
    hubB = await TestHub.start({ redisUrl: redis.url });
  });

  afterEach(async () => {
    await hubA.close();
    await hubB.close();
  });

  it('lists peers of both hubs, and relays broadcasts, directed messages and neck events across them', async () => {
    const ui = await hubA.connect('ui', 'ui-on-a');
    const joined = nextEvent(ui.socket, 'new-peer');
    const neck = await hubB.connect('neck', 'neck-on-b');
    expect(neck.peers).toEqual([{ id: ui.socket.id, uuid: 'ui-on-a', roles: ['ui'] }]);
    expect(await joined).toEqual({ id: neck.socket.id, uuid: 'neck-on-b', roles: ['neck'] });

    const broadcast = nextEvent(neck.socket, 'peer-message');
    ui.socket.emit('broadcast-message', { message: 'HOME' });
    expect(await broadcast).toEqual({ peerId: ui.socket.id, uuid: 'ui-on-a', message: 'HOME', hub: HUB_STAMP });

    const directed = nextEvent(neck.socket, 'peer-message');
    ui.socket.emit('peer-message', { target: neck.socket.id ?? '', message: 'X30', id: 'd1' });
    expect(await directed).toEqual({ peerId: ui.socket.id, uuid: 'ui-on-a', message: 'X30', id: 'd1', hub: HUB_STAMP });

    const command = nextEvent(neck.socket, 'neck_command');
    ui.socket.emit('neck_command', { command: 'Y5', id: 'c1', sentAt: 1234.5, seq: 7 });
    expect(await command).toEqual({
      command: 'Y5',
      peerId: ui.socket.id,
      uuid: 'ui-on-a',
      id: 'c1',
      sentAt: 1234.5,
      seq: 7,
      hub: HUB_STAMP,
    });

    const ack = nextEvent(ui.socket, 'neck_ack');
    neck.socket.emit('neck_ack', { command: 'X0,Y5,Z0,H0,S1,A1,R0,P0', status: 'written', to: ui.socket.id, id: 'c1' });
    expect(await ack).toMatchObject({ status: 'written', peerId: neck.socket.id, id: 'c1' });

    const status: NeckStatusDto = {
      serial: { state: 'down', path: null, baud: 115200, error: 'unplugged' },
      firmware: { state: 'down', answersHealth: null },
      control: { holder: null, leaseMs: 2000, stopped: false, stoppedBy: null },
      pose: null,
      queueDepth: 0,
      health: null,
    };
    const seen = nextEvent(ui.socket, 'neck_status');
    neck.socket.emit('neck_status', status);
    expect(await seen).toEqual({ ...status, peerId: neck.socket.id, uuid: 'neck-on-b' });

    const left = nextEvent(ui.socket, 'peer-disconnect');
    const neckSid = neck.socket.id;
    neck.socket.disconnect();
    expect(await left).toBe(neckSid);
  });

  it('counts peers of every hub in health', async () => {
    await hubA.connect('ui');
    await hubB.connect('neck');
    // Hubs learn of each other's peers through Redis, a moment after the join.
    const peers = async () => ((await (await fetch(`${hubA.url}/`)).json()) as { peers: number }).peers;
    let seen = await peers();
    for (let tries = 0; seen < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await peers();
    }
    expect(seen).toBe(2);
  });
});
