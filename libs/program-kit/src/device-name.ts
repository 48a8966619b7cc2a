import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MAX_UUID_LENGTH } from '@neck-signal/protocol';

/** What a program is called in the uuids it makes up: `pi4-neck-3f2a` for an agent, `alice-laptop-cli-9c1d` for `neck`. */
export const DEVICE_KINDS = Object.freeze({ agent: 'neck', cli: 'cli' });
export type DeviceKind = keyof typeof DEVICE_KINDS;

/** The host part: the host name's first label, lower case, anything but letters, digits and `-` made `-`. */
const MAX_HOST_PART = 40;

/**
 * A uuid that says what and where: this machine's name, the program, and four hex digits so that two programs
 * of one kind on one machine (the demo's REPL and another terminal's `neck`) are told apart, e.g.
 * `pi4-neck-3f2a`. Always one the hub takes (UUID_PATTERN, MAX_UUID_LENGTH).
 */
export function deviceName(kind: DeviceKind, host: string = hostname()): string {
  const place =
    host
      .split('.')[0]
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_HOST_PART)
      .replace(/-+$/, '') || 'host';
  const name = `${place}-${DEVICE_KINDS[kind]}-${randomBytes(2).toString('hex')}`;
  return name.slice(0, MAX_UUID_LENGTH);
}
