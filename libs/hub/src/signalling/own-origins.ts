import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { bindsEverywhere, lanAddresses } from '@neck-signal/program-kit';

/**
 * The origins of the hub's own web page: its scheme, with one of the addresses this hub is known by (the
 * address the request actually reached, loopback, its LAN addresses, its host name, the bound host) and the
 * port the request reached; or the tunnel's public URL. Never read from the request's `Host` header, which after
 * DNS rebinding names the attacker's domain (issue 17): `Origin: http://evil.test:P` with `Host: evil.test:P` is
 * what a browser sends then, and it is not the hub's own page.
 */
export class OwnOrigins {
  private readonly hosts: ReadonlySet<string>;

  constructor(
    private readonly scheme: 'http' | 'https',
    boundHost: string,
    private readonly tunnelUrl: () => string | null,
  ) {
    const name = hostname().toLowerCase();
    const hosts = ['localhost', '127.0.0.1', '[::1]', name, `${name}.local`, ...lanAddresses()];
    if (!bindsEverywhere(boundHost)) hosts.push(hostLiteral(boundHost));
    this.hosts = new Set(hosts);
  }

  /** Whether `origin` (already parsed) is the hub's own page, for this request. */
  includes(origin: URL, request: IncomingMessage): boolean {
    const tunnel = this.tunnelUrl();
    if (tunnel !== null && sameOrigin(origin, tunnel)) return true;
    if (origin.protocol !== `${this.scheme}:`) return false;
    const port = origin.port === '' ? (this.scheme === 'https' ? 443 : 80) : Number(origin.port);
    if (port !== request.socket.localPort) return false;
    const host = origin.hostname.toLowerCase();
    const reached = request.socket.localAddress;
    return this.hosts.has(host) || (reached !== undefined && host === hostLiteral(unmapped(reached)));
  }
}

function sameOrigin(origin: URL, url: string): boolean {
  try {
    return new URL(url).origin === origin.origin;
  } catch {
    return false;
  }
}

/** An address as it appears in a URL's host: IPv6 in brackets. */
function hostLiteral(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) is 127.0.0.1. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
