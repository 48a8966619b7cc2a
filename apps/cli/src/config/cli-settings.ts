import { IsOptional, IsString } from 'class-validator';
import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import {
  checkHubUrl,
  DeviceKeyFile,
  deviceKeyFile,
  deviceName,
  FirstRun,
  hubTrust,
  readConfigFile,
  readTrustedCertificate,
  removeLeftoverTempFiles,
  resolveConfigDir,
  SettingsContext,
  TrustedCertificate,
  updateConfigFile,
} from '@neck-signal/program-kit';
import { HubFlags } from '../common/hub-command';
import { findRunningDemo, RUNNING_DEMO_FILE } from '../demo/running-demo';

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
  /** True when no hub was chosen and this is the demo running on this machine. */
  readonly demo?: boolean;
}

/** How `neck` says to give what is missing without a terminal. */
export const CLI_OTHERWISE =
  'or run `neck setup cli` on a terminal; or `npm start` a demo on this machine, which neck finds';

/**
 * Resolves the hub URL (-s, NECK_HUB_URL from env or .env, cli.json, else the demo running on this machine),
 * the password (PEER_SHARED_SECRET from env or .env; the demo's own with the demo's URL) and our uuid (-u,
 * cli.json, else a name from this host, saved). A first run on a terminal asks only what nothing answers (the
 * hub URL, the shared password) and saves the answers; without a terminal nothing is asked: a missing password
 * or URL is a ConfigError (exit 2) naming the env var. A hub URL on a port nothing can connect to (a "bad port")
 * is a ConfigError too. A hub certificate to trust (NECK_HUB_CA, `hub_ca`, the --lan demo's) is read and
 * trusted for the hub's URL.
 */
export async function loadCliSettings(flags: HubFlags, context: SettingsContext): Promise<CliSettings> {
  const { asker, say } = context;
  const configDir = resolveConfigDir(flags.configDir, context.env);
  const path = join(configDir, CLI_CONFIG_FILE);
  removeLeftoverTempFiles(configDir);
  const file = readConfigFile(path, CliConfigFile)?.value ?? {};
  const firstRun = new FirstRun(configDir, context, { otherwise: CLI_OTHERWISE });
  // A hub someone chose wins; without one commands go to the demo on this machine (`npm start`), as they do
  // when -s names the demo's URL (with the demo's password, whatever .env holds for a real hub).
  const configured = flags.serverUrl ?? firstRun.knownHubUrl() ?? file.server_url;
  const running = findRunningDemo(configDir);
  const demo =
    running && (configured === undefined || (flags.serverUrl !== undefined && sameUrl(flags.serverUrl, running.url)))
      ? running
      : undefined;
  // A paired cli logs in with its device key: the password is only needed to pair.
  const knownUuid = flags.uuid ?? file.uuid;
  const paired = knownUuid !== undefined && deviceKeyFile(configDir, 'cli', knownUuid).load() !== undefined;
  const password = async (): Promise<string | undefined> => {
    if (demo) return demo.password;
    if (paired) return firstRun.knownPassword();
    const shared = await firstRun.sharedPassword('peer');
    if (shared.saved) say(`shared password saved in ${firstRun.envPath}`);
    return shared.password;
  };
  // Without a terminal a missing password is named first; on one, the seed asks the hub URL first.
  let secret = asker ? undefined : await password();
  const hub = demo
    ? { url: checkHubUrl(demo.url), asked: false }
    : await firstRun.hubUrl(flags.serverUrl, file.server_url);
  const hubCa = demo
    ? demo.hubCaPath === undefined
      ? undefined
      : readTrustedCertificate(demo.hubCaPath, `the running demo's ${RUNNING_DEMO_FILE}`)
    : firstRun.hubCa(flags.hubCa, file.hub_ca, path);
  const trust = hubCa ? hubTrust(hubCa.pem) : undefined;
  // Each command builds its client from the URL: the trust goes with the URL.
  if (trust) HubClient.trustHub(hub.url, trust);
  if (asker) secret = await password();
  const uuid = await firstRun.uuid('cli', flags.uuid, file.uuid);

  const answers: CliConfigFile = {
    ...(hub.asked ? { server_url: hub.url } : {}),
    ...(flags.uuid === undefined && file.uuid === undefined ? { uuid: uuid.uuid } : {}),
  };
  if (Object.keys(answers).length > 0) {
    updateConfigFile(path, answers);
    // A name made up for a script's run is not news; answers a person gave are.
    if (hub.asked) say(`saved ${path}`);
  }
  return {
    configDir,
    serverUrl: hub.url,
    ...(hubCa ? { hubCa } : {}),
    fetch: trust?.fetch ?? fetch,
    ...(secret === undefined ? {} : { password: secret }),
    uuid: uuid.uuid,
    deviceKeys: deviceKeyFile(configDir, 'cli', uuid.uuid),
    ...(demo ? { demo: true } : {}),
  };
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/**
 * Your uuid in this config dir's cli.json, made (a name from this host) and saved when there is none: what the
 * demo's REPL uses too, so that every `neck` command on this machine is the same "you".
 */
export function ownCliUuid(configDir: string): string {
  const path = join(configDir, CLI_CONFIG_FILE);
  const saved = readConfigFile(path, CliConfigFile)?.value.uuid;
  if (saved !== undefined) return saved;
  const uuid = deviceName('cli');
  updateConfigFile(path, { uuid });
  return uuid;
}
