import { isIP } from 'node:net';
import { TUNNEL_BYPASS_HEADER } from '@neck-signal/protocol';

/** Asks the tunnel server `host` for this machine's tunnel password; rejects when it cannot tell. */
export type TunnelPasswordFetcher = (host: string, signal: AbortSignal) => Promise<string>;
/** Injection token of the TunnelPasswordFetcher; the default is fetchTunnelPassword. */
export const TUNNEL_PASSWORD_FETCHER = Symbol('TUNNEL_PASSWORD_FETCHER');

/** What the hub says when the tunnel service would not tell it the password. */
export const UNKNOWN_TUNNEL_PASSWORD = 'unknown';

/**
 * Tunnel servers whose password page lives on another host: localtunnel.me hands out *.loca.lt tunnels and
 * answers the password at https://loca.lt/mytunnelpassword (localtunnel/localtunnel#598).
 */
const PASSWORD_HOSTS: Readonly<Record<string, string>> = { 'localtunnel.me': 'loca.lt' };

/** Where the tunnel server `host` tells a machine its tunnel password, e.g. https://loca.lt/mytunnelpassword. */
export function tunnelPasswordUrl(host: string): string {
  const url = new URL('/mytunnelpassword', host);
  url.hostname = PASSWORD_HOSTS[url.hostname] ?? url.hostname;
  url.username = '';
  url.password = '';
  return url.href;
}

/**
 * Asks the tunnel server for the password its reminder page asks browsers for: the public IP it sees this
 * machine connect from. Rejects when it does not answer 200 with an IP address.
 */
export async function fetchTunnelPassword(host: string, signal: AbortSignal): Promise<string> {
  const url = tunnelPasswordUrl(host);
  const response = await fetch(url, { headers: { [TUNNEL_BYPASS_HEADER]: 'neck-signal' }, signal });
  const text = (await response.text()).trim();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  if (isIP(text) === 0) throw new Error(`${url} answered no IP address (${JSON.stringify(text.slice(0, 40))})`);
  return text;
}
