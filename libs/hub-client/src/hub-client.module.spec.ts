import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TEST_PASSWORD, TestHub } from '../../../test/support/hub';
import { ClientClosedError } from './errors';
import { HubClient } from './hub-client';
import { HUB_CLIENT_OPTIONS, HubClientModule } from './hub-client.module';

@Injectable()
class AgentSettings {
  readonly uuid = 'from-settings';
}

@Module({ providers: [AgentSettings], exports: [AgentSettings] })
class AgentSettingsModule {}

describe('HubClientModule', () => {
  let hub: TestHub;
  let moduleRef: TestingModule | undefined;

  beforeEach(async () => {
    hub = await TestHub.start();
  });

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    await hub.close();
  });

  it('provides a HubClient built from the options, and closes it with the module', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        HubClientModule.forRoot({
          url: hub.url,
          password: TEST_PASSWORD,
          uuid: 'nest-peer',
          transports: ['websocket'],
        }),
      ],
    }).compile();
    const client = moduleRef.get(HubClient);
    expect(client).toBeInstanceOf(HubClient);
    expect(client.connected).toBe(false);

    await client.connect();
    expect(client.connected).toBe(true);
    // The hub's own view: an observer that joins sees us among the existing peers.
    expect((await hub.connect('observer')).peers).toEqual([{ id: client.id, uuid: 'nest-peer', roles: ['ui'] }]);

    await moduleRef.close();
    moduleRef = undefined;
    expect(client.connected).toBe(false);
    await expect(client.connect()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('builds the options with a factory that injects from imported modules', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        HubClientModule.forRoot({
          imports: [AgentSettingsModule],
          inject: [AgentSettings],
          useFactory: (settings: AgentSettings) => ({
            url: hub.url,
            password: TEST_PASSWORD,
            uuid: settings.uuid,
            role: 'neck',
            transports: ['websocket'],
          }),
        }),
      ],
    }).compile();

    const client = moduleRef.get(HubClient);
    expect(moduleRef.get(HUB_CLIENT_OPTIONS)).toMatchObject({ uuid: 'from-settings', role: 'neck' });
    await client.connect();
    expect(client.uuid).toBe('from-settings');
    expect((await hub.connect('observer')).peers).toEqual([{ id: client.id, uuid: 'from-settings', roles: ['neck'] }]);
  });
});
