import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubTrust, servingCertificate, type ServingCertificate } from '@neck-signal/program-kit';
import { TEST_PASSWORD, TestHub } from '../../../test/support/hub';
import { LoginError } from './errors';
import { HubClient } from './hub-client';

describe('HubClient and a hub with a certificate of its own (neck-hub --https)', () => {
  let dir: string;
  let certificate: ServingCertificate;
  let hub: TestHub | undefined;
  const clients: HubClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neck-client-tls-'));
    certificate = await servingCertificate(dir, []);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await hub?.close();
    hub = undefined;
  });

  const client = (options: Partial<ConstructorParameters<typeof HubClient>[0]> & { url: string }) => {
    const made = new HubClient({ password: TEST_PASSWORD, retryIntervalMs: 50, ...options });
    clients.push(made);
    return made;
  };

  it.each([['websocket'], ['polling']] as const)(
    'logs in and connects over https (%s) when it trusts the hub’s authority',
    async (transport) => {
      hub = await TestHub.start({ https: certificate });
      expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const trusted = client({ url: hub.url, trust: hubTrust(certificate.ca), transports: [transport] });
      await trusted.connect();
      expect(trusted.connected).toBe(true);
    },
  );

  it('trusts what HubClient.trustHub gave the hub’s URL, for every client made after', async () => {
    hub = await TestHub.start({ https: certificate });
    HubClient.trustHub(`${hub.url}/`, hubTrust(certificate.ca));
    const later = client({ url: hub.url, uuid: 'later' });
    await later.connect();
    expect(later.uuid).toBe('later');
  });

  // Adversary: an agent without the certificate, which the old code told "unreachable" and retried for ever.
  it('without it, the login fails at once saying the certificate is not trusted and what to give', async () => {
    hub = await TestHub.start({ https: certificate });
    const error = await client({ url: hub.url })
      .login()
      .then(
        () => new Error('logged in, but should have been refused'),
        (reason: unknown) => reason,
      );
    if (!(error instanceof LoginError)) throw error;
    expect(error.reason).toBe('rejected');
    expect(error.message).toBe(
      `hub at ${hub.url} presents a certificate this program does not trust (SELF_SIGNED_CERT_IN_CHAIN); ` +
        "a hub started with --https makes its own: give this program a copy of the hub's https-ca.pem with " +
        '--hub-ca FILE or NECK_HUB_CA (or hub_ca in its config file), and use an address the hub prints',
    );
  });

  it('an address the certificate does not name is refused as such', async () => {
    hub = await TestHub.start({ https: certificate, host: '0.0.0.0' });
    // 127.0.0.2 reaches this machine too, but the certificate names 127.0.0.1 only.
    const other = `https://127.0.0.2:${new URL(hub.url).port}`;
    const error = await client({ url: other, trust: hubTrust(certificate.ca) })
      .login()
      .catch((reason: unknown) => reason);
    expect(String(error)).toMatch(
      /presents a certificate for other names than 127\.0\.0\.2 \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
  });
});
