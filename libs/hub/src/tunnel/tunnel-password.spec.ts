import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fetchTunnelPassword, tunnelPasswordUrl } from './tunnel-password';

describe('tunnelPasswordUrl', () => {
  it('asks loca.lt for localtunnel.me tunnels, and the configured host itself otherwise', () => {
    expect(tunnelPasswordUrl('https://localtunnel.me')).toBe('https://loca.lt/mytunnelpassword');
    expect(tunnelPasswordUrl('https://tunnel.example:8443/')).toBe('https://tunnel.example:8443/mytunnelpassword');
    expect(tunnelPasswordUrl('http://user:secret@127.0.0.1:9000')).toBe('http://127.0.0.1:9000/mytunnelpassword');
  });
});

describe('fetchTunnelPassword against a tunnel server that may lie', () => {
  let server: Server;
  let answer: { status: number; body: string };
  const seen: (string | undefined)[] = [];

  beforeEach(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers['bypass-tunnel-reminder'] as string | undefined);
      response.writeHead(answer.status, { 'content-type': 'text/plain' });
      response.end(answer.body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterEach(async () => {
    seen.length = 0;
    server.close();
    await once(server, 'close');
  });
  const host = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('takes the IP it answers, with the bypass header sent', async () => {
    answer = { status: 200, body: '198.51.100.4\n' };
    await expect(fetchTunnelPassword(host(), AbortSignal.timeout(5000))).resolves.toBe('198.51.100.4');
    expect(seen).toEqual(['neck-signal']);
  });

  it('refuses an answer that is not an IP (a reminder page, an error page)', async () => {
    answer = { status: 200, body: '<html>Friendly reminder</html>' };
    await expect(fetchTunnelPassword(host(), AbortSignal.timeout(5000))).rejects.toThrow(/answered no IP address/);
    answer = { status: 503, body: '198.51.100.4' };
    await expect(fetchTunnelPassword(host(), AbortSignal.timeout(5000))).rejects.toThrow(/answered 503/);
  });
});
