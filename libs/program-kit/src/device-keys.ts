import { join } from 'node:path';
import { asConfigError } from './config-error';
import { readJsonFile, writeFileAtomically } from './files';

/** The device keys of this config dir's programs, by program and uuid; mode 0600, like .env. */
export const DEVICE_KEYS_FILE = 'device-keys.json';

/** Where one program keeps the key the hub gave its uuid when it paired (hub-client's DeviceKeyStore). */
export interface DeviceKeyFile {
  load(): string | undefined;
  save(key: string | undefined): void;
}

/**
 * The device key of `program` (agent, cli) for `uuid` in the config dir's device-keys.json, written atomically
 * with mode 0600. With a key, the program logs in without the shared password.
 */
export function deviceKeyFile(configDir: string, program: string, uuid: string): DeviceKeyFile {
  const path = join(configDir, DEVICE_KEYS_FILE);
  const name = `${program}:${uuid}`;
  const read = (): Record<string, unknown> => asConfigError(() => readJsonFile(path) ?? {});
  return {
    load: () => {
      const key = read()[name];
      return typeof key === 'string' && key !== '' ? key : undefined;
    },
    save: (key) => {
      const keys = read();
      if (key === undefined) delete keys[name];
      else keys[name] = key;
      asConfigError(() => writeFileAtomically(path, `${JSON.stringify(keys, null, 2)}\n`, 0o600));
    },
  };
}
