import { chmodSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'dotenv';
import { isNotFound, writeFileAtomically } from './files';

/** Mode of .env: it holds the shared password and the JWT secret. */
export const ENV_FILE_MODE = 0o600;

/** Reads KEY=value pairs from a .env file; a missing file gives {}. Tightens a looser mode to 0600. */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return {};
    throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, ENV_FILE_MODE);
  return parse(text);
}

/** Sets the given keys in a .env file (keeping the others), written atomically with mode 0600. */
export function updateEnvFile(file: string, values: Record<string, string>): void {
  const merged = { ...readEnvFile(file), ...values };
  const body = Object.entries(merged)
    .map(([key, value]) => `${key}=${quoteEnvValue(value)}`)
    .join('\n');
  writeFileAtomically(file, `${body}\n`, ENV_FILE_MODE);
}

function quoteEnvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@+-]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  return JSON.stringify(value);
}

/**
 * A value from the environment first, then from the .env file. Empty strings count as missing, so an empty
 * `JWT_SECRET=` in the environment does not hide the one saved in .env.
 */
export function envValue(key: string, env: NodeJS.ProcessEnv, file: Record<string, string>): string | undefined {
  for (const value of [env[key], file[key]]) if (value !== undefined && value !== '') return value;
  return undefined;
}
