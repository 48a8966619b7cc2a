import { IsOptional, IsString } from 'class-validator';
import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import {
  DeviceKeyFile,
  deviceKeyFile,
  FirstRun,
  hubTrust,
  QUESTIONS,
  readConfigFile,
  removeLeftoverTempFiles,
  resolveConfigDir,
  SettingsContext,
  TrustedCertificate,
  updateConfigFile,
} from '@neck-signal/program-kit';
import { HubFlags } from '../common/hub-command';

export const CLI_CONFIG_FILE = 'cli.json';

/** cli.json in the config dir (snake_case like the seed's config files; all optional). */
export class CliConfigFile {
  /** Hub URL, e.g. https://neck-signal.loca.lt. */
  @IsOptional() @IsString() server_url?: string;
  /** A copy of the hub's https-ca.pem, for a hub that makes its own certificate (relative to the config dir). */
  @IsOptional() @IsString() hub_ca?: string;
  /** Our uuid on the hub, kept so that we stay the same peer across runs. */
  @IsOptional() @IsString() uuid?: string;
}

/** What a command needs to reach the hub, resolved from flags, env, .env and cli.json. */
export interface CliSettings {
  readonly configDir: string;
  /** Without a trailing slash. */
  readonly serverUrl: string;
  /**
   * The hub's certificate authority to trust, for a hub that makes its own certificate (NECK_HUB_CA, cli.json
   * `hub_ca`). Loading the settings also makes every HubClient for serverUrl trust it (HubClient.trustHub).
   */
  readonly hubCa?: TrustedCertificate;
  /** The fetch that reaches the hub: the global one, or one trusting hubCa. */
  readonly fetch: typeof fetch;
  /** The shared password (PEER_SHARED_SECRET); a paired cli may do without. */
  readonly password?: string;
  readonly uuid: string;
  /** The key the hub gave this cli's uuid when it paired (device-keys.json). */
  readonly deviceKeys: DeviceKeyFile;
}

/** How `neck` says to give what is missing without a terminal. */
export const CLI_OTHERWISE = 'or run `neck setup cli` on a terminal';

/**
 * Resolves the hub URL (-s, NECK_HUB_URL from env or .env, cli.json), the password (PEER_SHARED_SECRET from env
 * or .env) and our uuid (-u, cli.json). A first run on a terminal asks the seed's questions for what is missing
 * (hub URL, shared password, uuid — blank for a random one) and saves the answers. Without a terminal nothing is
 * asked: a missing password or URL is a ConfigError (exit 2) naming the env var, and a missing uuid is made up.
 * A hub URL on a port nothing can connect to (a "bad port") is a ConfigError too. A hub certificate to trust
 * (NECK_HUB_CA, `hub_ca`) is read and trusted for the hub's URL.
 */
export async function loadCliSettings(flags: HubFlags, context: SettingsContext): Promise<CliSettings> {
  const { asker, say } = context;
  const configDir = resolveConfigDir(flags.configDir, context.env);
  const path = join(configDir, CLI_CONFIG_FILE);
  removeLeftoverTempFiles(configDir);
  const file = readConfigFile(path, CliConfigFile)?.value ?? {};
  const firstRun = new FirstRun(configDir, context, { otherwise: CLI_OTHERWISE });
  // A paired cli logs in with its device key: the password is only needed to pair.
  const knownUuid = flags.uuid ?? file.uuid;
  const paired = knownUuid !== undefined && deviceKeyFile(configDir, 'cli', knownUuid).load() !== undefined;
  const password = async (): Promise<string | undefined> => {
    if (paired) return firstRun.knownPassword();
    const shared = await firstRun.sharedPassword('peer');
    if (shared.saved) say(`shared password saved in ${firstRun.envPath}`);
    return shared.password;
  };
  // Without a terminal a missing password is named first; on one, the seed asks the hub URL first.
  let secret = asker ? undefined : await password();
  const hub = await firstRun.hubUrl(flags.serverUrl, file.server_url);
  const hubCa = firstRun.hubCa(flags.hubCa, file.hub_ca, path);
  const trust = hubCa ? hubTrust(hubCa.pem) : undefined;
  // Each command builds its client from the URL: the trust goes with the URL.
  if (trust) HubClient.trustHub(hub.url, trust);
  if (asker) secret = await password();
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
  return {
    configDir,
    serverUrl: hub.url,
    ...(hubCa ? { hubCa } : {}),
    fetch: trust?.fetch ?? fetch,
    ...(secret === undefined ? {} : { password: secret }),
    uuid: uuid.uuid,
    deviceKeys: deviceKeyFile(configDir, 'cli', uuid.uuid),
  };
}
