import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Writes a file atomically (temp file + rename), creating its directory; `mode` defaults to 0644. */
export function writeFileAtomically(file: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, content, { mode });
}

/** Reads a JSON object file; a missing file gives undefined, a broken one throws an error naming the file. */
export function readJsonFile(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file} must hold a JSON object; fix or delete it`);
  }
  return value as Record<string, unknown>;
}

/** Writes a JSON object atomically, pretty-printed. */
export function writeJsonFile(file: string, value: object): void {
  writeFileAtomically(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** A temp file write-file-atomic left behind (`hub.json.1234567890`): the write was killed midway. */
const LEFTOVER =
  /^(?:hub|agent|cli|devices|device-keys)\.json\.\d+$|^\.env\.\d+$|^https-(?:ca|ca-key|cert|key)\.pem\.\d+$/;

/** Removes what interrupted atomic writes left in the config dir; returns the names removed. */
export function removeLeftoverTempFiles(configDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch {
    return [];
  }
  const leftovers = names.filter((name) => LEFTOVER.test(name));
  for (const name of leftovers) rmSync(join(configDir, name), { force: true });
  return leftovers;
}
