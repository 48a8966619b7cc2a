import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { join } from 'node:path';
import { describeValidationErrors } from '@neck-signal/protocol';
import { asConfigError } from './config-error';
import { readJsonFile, writeJsonFile } from './files';

/** The config dir's secrets file: PEER_SHARED_SECRET (and the hub's JWT_SECRET), mode 0600. */
export const ENV_FILE = '.env';

/** Where a config dir's `.env` is. */
export function envFilePath(configDir: string): string {
  return join(configDir, ENV_FILE);
}

/** A config file read and checked: `value` typed by its DTO, `raw` with every key as written (unknown ones too). */
export interface ConfigFile<T> {
  readonly raw: Record<string, unknown>;
  readonly value: T;
}

/**
 * Reads a program's JSON config file (hub.json, agent.json, cli.json) and checks it against its DTO class.
 * A missing file gives undefined; a broken or invalid one is a ConfigError naming the file and the key.
 */
export function readConfigFile<T extends object>(path: string, dto: ClassConstructor<T>): ConfigFile<T> | undefined {
  return asConfigError(() => {
    const raw = readJsonFile(path);
    if (raw === undefined) return undefined;
    const value = plainToInstance(dto, raw);
    const errors = validateSync(value);
    if (errors.length > 0) throw new Error(`${path}: ${describeValidationErrors(errors)}`);
    return { raw, value };
  });
}

/** Sets keys in a JSON config file, atomically, keeping those it does not name; a ConfigError says what to do. */
export function updateConfigFile(path: string, values: object): void {
  asConfigError(() => {
    try {
      writeJsonFile(path, { ...(readJsonFile(path) ?? {}), ...values });
    } catch (error) {
      throw new Error(`cannot write ${path}: ${(error as Error).message}; pass --config-dir DIR`);
    }
  });
}
