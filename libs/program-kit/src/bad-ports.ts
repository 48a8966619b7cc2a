import { ConfigError } from './config-error';

/**
 * The ports the fetch standard blocks (https://fetch.spec.whatwg.org/#port-blocking, "bad port"): browsers
 * and Node's own fetch (undici) refuse to connect to them, so a hub on one is out of reach of the web page,
 * the agent and the CLI alike. The one list every program checks against; bad-ports.spec.ts checks it against
 * Node's fetch.
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** True for a port browsers and Node's fetch refuse to connect to. */
export function isBadPort(port: number): boolean {
  return BAD_PORTS.has(port);
}

/** Why a bad port cannot serve, and the next port up that can. */
export function badPortMessage(port: number): string {
  let instead = port + 1;
  while (isBadPort(instead)) instead++;
  return (
    `port ${port} is a "bad port" that browsers and Node's fetch refuse to connect to ` +
    `(https://fetch.spec.whatwg.org/#port-blocking); pick another, e.g. ${instead}`
  );
}

/** The port itself; a ConfigError (exit 2) for a bad port, prefixed with where it came from. */
export function checkPort(port: number, where?: string): number {
  if (isBadPort(port)) throw new ConfigError(`${where === undefined ? '' : `${where}: `}${badPortMessage(port)}`);
  return port;
}

/** The port a URL connects to: its own, else its scheme's default (80 for http and ws, 443 for https and wss). */
export function urlPort(url: URL): number | undefined {
  if (url.port !== '') return Number(url.port);
  if (url.protocol === 'http:' || url.protocol === 'ws:') return 80;
  if (url.protocol === 'https:' || url.protocol === 'wss:') return 443;
  return undefined;
}
