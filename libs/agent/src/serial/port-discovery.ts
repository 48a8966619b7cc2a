import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { BindingInterface, PortInfo } from '@serialport/bindings-interface';
import { isNeckHealth, parseHealthLine } from '@neck-signal/protocol';
import { SerialSettings } from '../config/agent-settings';
import { SerialLink, openSerialLink } from './serial-link';

/** USB vendor ids of the USB-serial bridges ESP32 boards use (CP210x, CH340/CH9102, FTDI, Espressif, Prolific). */
export const KNOWN_USB_SERIAL_VENDORS = ['10c4', '1a86', '0403', '303a', '067b', '2341', '239a'];
const BY_ID_DIR = '/dev/serial/by-id';

export type Discovery = { ok: true; link: SerialLink } | { ok: false; error: string };

export interface DiscoveryEnvironment {
  binding: BindingInterface;
  /** Whether a device path exists now. */
  exists(path: string): boolean;
  /** Links in /dev/serial/by-id, resolved to their device paths. */
  byId(): { link: string; device: string }[];
  /** The binding's port list, or [] where it cannot be read (no udevadm in a container…). */
  list(): Promise<PortInfo[]>;
  log(message: string): void;
}

/** What discovery logged on each environment's last failed attempt. */
const lastAttemptLogs = new WeakMap<DiscoveryEnvironment, ReadonlySet<string>>();

/**
 * Finds and opens the neck's port. An explicit path wins. Otherwise: /dev/serial/by-id links and known
 * USB-serial adapters first, then the configured candidates that exist; one candidate is opened as is,
 * several are probed with HEALTH and the one answering DEVICE=NECK is kept open. After a failed attempt, the
 * next one on the same environment logs only what the failed one did not.
 */
export async function discoverNeck(settings: SerialSettings, env: DiscoveryEnvironment): Promise<Discovery> {
  // The agent retries every second while no neck answers: say what a retry finds only when it differs.
  const before = lastAttemptLogs.get(env) ?? new Set<string>();
  const said = new Set<string>();
  const log = (message: string) => {
    said.add(message);
    if (!before.has(message)) env.log(message);
  };
  const found = await discover(settings, { ...env, log });
  if (found.ok) lastAttemptLogs.delete(env);
  else lastAttemptLogs.set(env, said);
  return found;
}

async function discover(settings: SerialSettings, env: DiscoveryEnvironment): Promise<Discovery> {
  if (settings.path) {
    try {
      return { ok: true, link: await openSerialLink(env.binding, settings.path, settings.baudRate) };
    } catch (error) {
      return { ok: false, error: `cannot open ${settings.path}: ${(error as Error).message}` };
    }
  }
  const candidates = await candidatePorts(settings, env);
  const tried = candidates.length > 0 ? candidates.join(', ') : settings.candidates.join(', ');
  const advice = `no serial port answered as a neck (tried ${tried}); plug the neck in or pass --serial PATH`;
  if (candidates.length === 0) return { ok: false, error: advice };
  if (candidates.length === 1) {
    try {
      return { ok: true, link: await openSerialLink(env.binding, candidates[0], settings.baudRate) };
    } catch (error) {
      return { ok: false, error: `cannot open ${candidates[0]}: ${(error as Error).message}; pass --serial PATH` };
    }
  }
  env.log(`several serial ports (${tried}); asking each for HEALTH`);
  for (const path of candidates) {
    const link = await probe(path, settings, env);
    if (link) return { ok: true, link };
  }
  return { ok: false, error: advice };
}

async function candidatePorts(settings: SerialSettings, env: DiscoveryEnvironment): Promise<string[]> {
  const ordered: string[] = [];
  const seen = new Set<string>();
  const add = (path: string, device = path) => {
    if (seen.has(device)) return;
    seen.add(device);
    ordered.push(path);
  };
  for (const { link, device } of env.byId()) add(link, device);
  const listed = await env.list();
  for (const port of listed) {
    if (port.vendorId && KNOWN_USB_SERIAL_VENDORS.includes(port.vendorId.toLowerCase())) add(port.path);
  }
  const listedPaths = new Set(listed.map((port) => port.path));
  for (const path of settings.candidates) if (listedPaths.has(path) || env.exists(path)) add(path);
  return ordered;
}

async function probe(path: string, settings: SerialSettings, env: DiscoveryEnvironment): Promise<SerialLink | null> {
  let link: SerialLink;
  try {
    link = await openSerialLink(env.binding, path, settings.baudRate);
  } catch (error) {
    env.log(`${path}: ${(error as Error).message}`);
    return null;
  }
  // Opening a DevKit's port resets it, and what it gets while it boots is lost: ask once it has booted. The
  // answer then waits for its boot homing (~5 s), hence the long timeout.
  const answered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), settings.bootQuietMs + settings.probeTimeoutMs);
    const ask = setTimeout(() => {
      link.write('HEALTH').catch(() => finish(false));
    }, settings.bootQuietMs);
    const unsubscribe = link.onLine((line) => {
      if (isNeckHealth(parseHealthLine(line))) finish(true);
    });
    function finish(result: boolean) {
      clearTimeout(timer);
      clearTimeout(ask);
      unsubscribe();
      resolve(result);
    }
  });
  if (answered) return link;
  env.log(`${path}: no DEVICE=NECK answer to HEALTH within ${settings.probeTimeoutMs} ms`);
  await link.close();
  return null;
}

/** The real machine: device files, /dev/serial/by-id, and the binding's list where it can run. */
export function systemDiscoveryEnvironment(
  binding: BindingInterface,
  log: (message: string) => void,
): DiscoveryEnvironment {
  return {
    binding,
    log,
    // A COM port is no file: it counts when the binding's list (Windows) names it, never by its name alone.
    exists: (path) => !/^COM\d+$/i.test(path) && existsSync(path),
    byId: () => {
      try {
        return readdirSync(BY_ID_DIR).map((name) => {
          const link = join(BY_ID_DIR, name);
          return { link, device: realpathSync(link) };
        });
      } catch {
        return [];
      }
    },
    list: async () => {
      // serialport lists Linux ports with udevadm and crashes the process when it is missing.
      if (process.platform === 'linux' && !onPath('udevadm')) return [];
      try {
        return await binding.list();
      } catch {
        return [];
      }
    },
  };
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, program)));
}
