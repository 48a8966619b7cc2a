import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ConfigError } from './config-error';
import { removeLeftoverTempFiles } from './files';
import { fetchTrusting, hubTrust } from './hub-trust';
import {
  TLS_CA_FILE,
  TLS_CA_KEY_FILE,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
  readTrustedCertificate,
  servingCertificate,
} from './tls-certificate';

describe('servingCertificate', () => {
  let dir: string;
  const mode = (file: string) => statSync(join(dir, file)).mode & 0o777;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'neck-tls-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes an authority and a server certificate it signed on first use, the keys 0600', async () => {
    const served = await servingCertificate(dir, ['192.168.1.23']);
    expect(readdirSync(dir).sort()).toEqual([TLS_CA_KEY_FILE, TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE].sort());
    expect(mode(TLS_CA_KEY_FILE)).toBe(0o600);
    expect(mode(TLS_KEY_FILE)).toBe(0o600);
    expect(mode(TLS_CA_FILE)).toBe(0o644);
    expect(served.made).toEqual([`${TLS_CA_FILE} (there was none)`, `${TLS_CERT_FILE} (there was none)`]);
    const authority = new X509Certificate(readFileSync(join(dir, TLS_CA_FILE)));
    const certificate = new X509Certificate(served.cert);
    expect(authority.ca).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(certificate.checkIssued(authority) && certificate.verify(authority.publicKey)).toBe(true);
    expect(certificate.subjectAltName).toContain('IP Address:192.168.1.23');
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(served.caFingerprint).toBe(authority.fingerprint256);
  });

  it('keeps both while they fit; a new address gets a new server certificate from the same authority', async () => {
    const first = await servingCertificate(dir, ['192.168.1.23']);
    const again = await servingCertificate(dir, ['192.168.1.23']);
    expect(again.made).toEqual([]);
    expect(again.cert).toBe(first.cert);
    const moved = await servingCertificate(dir, ['10.0.0.7']);
    expect(moved.made).toEqual([`${TLS_CERT_FILE} (the saved one does not name 10.0.0.7)`]);
    expect(moved.ca).toBe(first.ca);
    expect(new X509Certificate(moved.cert).subjectAltName).toContain('IP Address:10.0.0.7');
  });

  it('makes them again when they expire, do not match their keys, or are unreadable', async () => {
    const first = await servingCertificate(dir, []);
    const nextYear = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
    const later = await servingCertificate(dir, [], nextYear);
    expect(later.made).toEqual([expect.stringMatching(/^https-cert\.pem \(the saved one expires /)]);
    expect(later.ca).toBe(first.ca);

    writeFileSync(join(dir, TLS_KEY_FILE), readFileSync(join(dir, TLS_CA_KEY_FILE)));
    expect((await servingCertificate(dir, [])).made).toEqual([`${TLS_CERT_FILE} (the saved key does not match it)`]);

    writeFileSync(join(dir, TLS_CA_FILE), 'not a certificate');
    const remade = await servingCertificate(dir, []);
    expect(remade.made).toEqual([
      expect.stringMatching(/^https-ca\.pem \(the saved one is unreadable/),
      `${TLS_CERT_FILE} (the saved one was not signed by ${TLS_CA_FILE})`,
    ]);
    expect(remade.ca).not.toBe(first.ca);
  });

  it('leftovers of interrupted writes are removed at start-up', () => {
    for (const name of ['https-key.pem.123', 'https-ca-key.pem.9', 'https-cert.pem.bak']) {
      writeFileSync(join(dir, name), 'x');
    }
    expect(removeLeftoverTempFiles(dir).sort()).toEqual(['https-ca-key.pem.9', 'https-key.pem.123']);
  });
});

describe('trusting a hub’s own certificate', () => {
  let dir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'neck-trust-'));
    const served = await servingCertificate(dir, []);
    server = createServer({ cert: served.chain, key: served.key }, (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        response.setHeader('retry-after', '3');
        response.statusCode = request.method === 'POST' ? 201 : 200;
        response.end(JSON.stringify({ method: request.method, body, header: request.headers['x-test'] ?? null }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  });

  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Node’s own fetch refuses the hub (the self-signed authority is nobody’s)', async () => {
    const attempt = fetch(url).catch((error: { cause?: { code?: string } }) => error.cause?.code);
    await expect(attempt).resolves.toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('a fetch trusting the copy of its https-ca.pem gets through, with method, body, headers and status', async () => {
    const trusted = hubTrust(readTrustedCertificate(join(dir, TLS_CA_FILE), 'NECK_HUB_CA').pem);
    const response = await trusted.fetch(url, { method: 'POST', body: '{"a":1}', headers: { 'x-test': 'yes' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"a":1}', header: 'yes' });
    // The public authorities are kept: the same settings reach a hub with a public certificate.
    expect(trusted.ca.length).toBeGreaterThan(100);
  });

  it('fails as fetch does, with the reason in cause.code, for another authority or an aborted request', async () => {
    const other = mkdtempSync(join(tmpdir(), 'neck-trust-other-'));
    try {
      const stranger = await servingCertificate(other, []);
      const attempt = fetchTrusting([stranger.ca])(url).catch((error: TypeError & { cause?: { code?: string } }) => [
        error.message,
        error.cause?.code,
      ]);
      // The stranger's authority has the same name as the hub's, not its key.
      await expect(attempt).resolves.toEqual(['fetch failed', 'CERT_SIGNATURE_FAILURE']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const controller = new AbortController();
    controller.abort();
    await expect(
      hubTrust(readFileSync(join(dir, TLS_CA_FILE), 'utf8')).fetch(url, { signal: controller.signal }),
    ).rejects.toThrow();
  });

  it('readTrustedCertificate says what to copy when the file is missing or not a certificate', () => {
    expect(() => readTrustedCertificate(join(dir, 'nope.pem'), 'NECK_HUB_CA')).toThrow(ConfigError);
    expect(() => readTrustedCertificate(join(dir, 'nope.pem'), 'NECK_HUB_CA')).toThrow(
      /cannot read the hub certificate .*nope\.pem \(NECK_HUB_CA\): .*; copy the hub's https-ca\.pem/,
    );
    writeFileSync(join(dir, 'junk.pem'), 'junk');
    expect(() => readTrustedCertificate(join(dir, 'junk.pem'), 'hub_ca in agent.json')).toThrow(
      /junk\.pem \(hub_ca in agent\.json\) is not a PEM certificate/,
    );
  });
});
