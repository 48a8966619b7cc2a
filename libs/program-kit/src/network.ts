import { networkInterfaces } from 'node:os';

/** This machine's IPv4 addresses other machines may reach (not loopback, not link-local), in interface order. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal && !entry.address.startsWith('169.254.'))
    .map((entry) => entry.address);
}

/** Whether a server bound to `host` listens on every interface (0.0.0.0, ::, or no host given). */
export function bindsEverywhere(host: string): boolean {
  return ['0.0.0.0', '::', ''].includes(host);
}

/**
 * `url` (a server on this machine, e.g. https://127.0.0.1:5000/app/) as another machine on the network reaches
 * it: on this machine's first LAN address when the server binds every interface; else unchanged.
 */
export function lanUrl(url: string, host: string, addresses: readonly string[] = lanAddresses()): string {
  const [lan] = addresses;
  if (!bindsEverywhere(host) || lan === undefined) return url;
  const moved = new URL(url);
  moved.hostname = lan;
  return moved.href;
}
