import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { join } from 'node:path';
import { UUID_PATTERN, describeValidationErrors } from '@neck-signal/protocol';
import {
  asConfigError,
  ConfigError,
  envValue,
  randomUuid,
  readEnvFile,
  readJsonFile,
  resolveConfigDir,
  SettingsContext,
  updateEnvFile,
  writeJsonFile,
} from '@neck-signal/program-kit';
import { HubFlags } from '../common/hub-command';

export const CLI_CONFIG_FILE = 'cli.json';
export const ENV_FILE = '.env';
/** The hub a fresh `neck` offers: the one `neck demo` and a hub on this machine listen on. */
export const LOCAL_HUB_URL = 'http://127.0.0.1:5000';

/** cli.json in the config dir (snake_case like the seed's config files; all optional). */
export class CliConfigFile {
  /** Hub URL, e.g. https://neck-signal.loca.lt. */
  @IsOptional() @IsString() server_url?: string;
  /** Our uuid on the hub, kept so that we stay the same peer across runs. */
  @IsOptional() @IsString() uuid?: string;
}

/** What a command needs to reach the hub, resolved from flags, env, .env and cli.json. */
export interface CliSettings {
  readonly configDir: string;
  /** Without a trailing slash. */
  readonly serverUrl: string;
  /** The shared password (PEER_SHARED_SECRET). */
  readonly password: string;
  readonly uuid: string;
}

/** Paths of a config dir's files. */
export function configPaths(configDir: string): { cli: string; env: string } {
  return { cli: join(configDir, CLI_CONFIG_FILE), env: join(configDir, ENV_FILE) };
}

/**
 * Resolves the hub URL (-s, NECK_HUB_URL from env or .env, cli.json), the password (PEER_SHARED_SECRET from env
 * or .env) and our uuid (-u, cli.json). A first run on a terminal asks the seed's questions for what is missing
 * (hub URL, shared password, uuid — blank for a random one) and saves the answers. Without a terminal nothing is
 * asked: a missing password or URL is a ConfigError (exit 2) naming the env var, and a missing uuid is made up.
 */
export async function loadCliSettings(flags: HubFlags, context: SettingsContext): Promise<CliSettings> {
  const { env, asker, say } = context;
  const configDir = resolveConfigDir(flags.configDir, env);
  const paths = configPaths(configDir);
  const file = readCliConfig(paths.cli);
  const dotEnv = asConfigError(() => readEnvFile(paths.env));
  const saved: CliConfigFile = { ...file };

  let serverUrl = flags.serverUrl ?? envValue('NECK_HUB_URL', env, dotEnv) ?? file.server_url;
  let password = envValue('PEER_SHARED_SECRET', env, dotEnv);
  if (!asker && password === undefined) {
    throw new ConfigError(
      `no shared password: set PEER_SHARED_SECRET (the hub's shared password) in the environment or in ${paths.env}, ` +
        'or run `neck setup cli` on a terminal',
    );
  }
  if (!asker && serverUrl === undefined) {
    throw new ConfigError(
      'no hub URL: pass -s/--server-url URL or set NECK_HUB_URL, or run `neck setup cli` on a terminal',
    );
  }

  if (serverUrl === undefined && asker) {
    serverUrl = (
      await asker.text('Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)', LOCAL_HUB_URL)
    ).trim();
    saved.server_url = serverUrl;
  }
  const url = checkHubUrl(serverUrl ?? '');
  if (password === undefined && asker) {
    password = await asker.secret('Shared password (the hub’s PEER_SHARED_SECRET)');
    if (password === '') throw new ConfigError('no shared password given; the hub refuses logins without it');
    const value = password;
    asConfigError(() => updateEnvFile(paths.env, { PEER_SHARED_SECRET: value }));
    say(`shared password saved in ${paths.env}`);
  }
  const secret = password ?? '';

  let uuid = flags.uuid ?? file.uuid;
  if (uuid === undefined) {
    const answer = asker ? (await asker.text('UUID for you (blank for a random one)', '')).trim() : '';
    uuid = answer === '' ? randomUuid() : answer;
    saved.uuid = uuid;
  }
  checkUuid(uuid);

  if (saved.server_url !== file.server_url || saved.uuid !== file.uuid) {
    saveCliConfig(paths.cli, saved);
    // A made-up uuid saved by a script's run is not news; answers a person gave are.
    if (asker) say(`saved ${paths.cli}`);
  }
  return { configDir, serverUrl: url, password: secret, uuid };
}

/** cli.json's content, validated; {} when there is none. */
export function readCliConfig(path: string): CliConfigFile {
  return asConfigError(() => {
    const raw = readJsonFile(path);
    if (raw === undefined) return {};
    const value = plainToInstance(CliConfigFile, raw);
    const errors = validateSync(value);
    if (errors.length > 0) throw new Error(`${path}: ${describeValidationErrors(errors)}`);
    return value;
  });
}

/** Merges the values into cli.json (atomically), keeping keys it does not know. */
export function saveCliConfig(path: string, values: CliConfigFile): void {
  asConfigError(() => writeJsonFile(path, { ...(readJsonFile(path) ?? {}), ...values }));
}

/** The URL without trailing slashes; a ConfigError unless it is http(s). */
export function checkHubUrl(value: string): string {
  const url = value.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ConfigError(
      `hub URL ${JSON.stringify(url)} is not an http(s) URL; pass one such as ${LOCAL_HUB_URL} or https://neck-signal.loca.lt`,
    );
  }
  return url.replace(/\/+$/, '');
}

export function checkUuid(uuid: string): void {
  if (!UUID_PATTERN.test(uuid) || uuid.length > 64) {
    throw new ConfigError(`uuid ${JSON.stringify(uuid)} may hold letters, digits and _ . : - only (at most 64)`);
  }
}
