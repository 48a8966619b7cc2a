import { HubPaths } from '@neck-signal/protocol';
import { bindsEverywhere, lanAddresses } from '@neck-signal/program-kit';

/** Where a started hub can be reached. */
export interface Listening {
  /** The address it was asked to bind (--host); 0.0.0.0 or :: for every interface. */
  host: string;
  port: number;
  /** A URL that connects from this machine (127.0.0.1 when bound to every interface). */
  url: string;
  configDir: string;
}

/**
 * neck-hub's own start-up lines: where it listens (a URL to connect to, and every interface when it binds them
 * all), the web page, and the addresses other machines on the network can use. The first keeps the form
 * `listening on http://…` (https with --https) that scripts and tests wait for.
 */
export function describeListening(listening: Listening, addresses = lanAddresses()): string[] {
  const { host, port, url, configDir } = listening;
  const scheme = new URL(url).protocol;
  const everywhere = bindsEverywhere(host);
  const where = everywhere ? `all interfaces, ${host === '::' ? '[::]' : '0.0.0.0'}:${port}; ` : '';
  const lines = [`listening on ${url} (${where}config: ${configDir})`, `web page: ${url}${HubPaths.WebPage}`];
  if (everywhere && addresses.length > 0) {
    lines.push(`from other machines: ${addresses.map((address) => `${scheme}//${address}:${port}`).join(', ')}`);
  }
  return lines;
}
