import { IsOptional, IsString } from 'class-validator';
import { join } from 'node:path';
import {
  FirstRun,
  QUESTIONS,
  readConfigFile,
  resolveConfigDir,
  SettingsContext,
  updateConfigFile,
} from '@neck-signal/program-kit';
import { HubFlags } from '../common/hub-command';

export const CLI_CONFIG_FILE = 'cli.json';

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

/** How `neck` says to give what is missing without a terminal. */
export const CLI_OTHERWISE = 'or run `neck setup cli` on a terminal';

/**
 * Resolves the hub URL (-s, NECK_HUB_URL from env or .env, cli.json), the password (PEER_SHARED_SECRET from env
 * or .env) and our uuid (-u, cli.json). A first run on a terminal asks the seed's questions for what is missing
 * (hub URL, shared password, uuid — blank for a random one) and saves the answers. Without a terminal nothing is
 * asked: a missing password or URL is a ConfigError (exit 2) naming the env var, and a missing uuid is made up.
 */
export async function loadCliSettings(flags: HubFlags, context: SettingsContext): Promise<CliSettings> {
  const { asker, say } = context;
  const configDir = resolveConfigDir(flags.configDir, context.env);
  const path = join(configDir, CLI_CONFIG_FILE);
  const file = readConfigFile(path, CliConfigFile)?.value ?? {};
  const firstRun = new FirstRun(configDir, context, { otherwise: CLI_OTHERWISE });
  // Without a terminal a missing password is named first; on one, the seed asks the hub URL first.
  let shared = asker ? undefined : await firstRun.sharedPassword('peer');
  const hub = await firstRun.hubUrl(flags.serverUrl, file.server_url);
  shared ??= await firstRun.sharedPassword('peer');
  if (shared.saved) say(`shared password saved in ${firstRun.envPath}`);
  const uuid = await firstRun.uuid(QUESTIONS.cliUuid, flags.uuid, file.uuid);

  const answers: CliConfigFile = {
    ...(hub.asked ? { server_url: hub.url } : {}),
    ...(flags.uuid === undefined && file.uuid === undefined ? { uuid: uuid.uuid } : {}),
  };
  if (Object.keys(answers).length > 0) {
    updateConfigFile(path, answers);
    // A made-up uuid saved by a script's run is not news; answers a person gave are.
    if (asker) say(`saved ${path}`);
  }
  return { configDir, serverUrl: hub.url, password: shared.password, uuid: uuid.uuid };
}
