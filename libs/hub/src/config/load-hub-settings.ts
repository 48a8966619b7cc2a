import { join } from 'node:path';
import {
  checkPort,
  ConfigError,
  envValue,
  FirstRun,
  QUESTIONS,
  randomJwtSecret,
  readConfigFile,
  lanAddresses,
  readEnvFile,
  removeLeftoverTempFiles,
  resolveConfigDir,
  servingCertificate,
  SettingsContext,
  updateConfigFile,
  updateEnvFile,
} from '@neck-signal/program-kit';
import { HubFlags } from './hub-flags';
import { HUB_CONFIG_FILE, HubConfigFile } from './hub-config-file';
import {
  DEFAULT_MAX_PAIRED_DEVICES,
  DEFAULT_MAX_SOCKETS_PER_UUID,
  HubSettings,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from './hub-settings';

export const MIN_JWT_SECRET_BYTES = 32;
/** The port a hub listens on unless told otherwise. */
export const DEFAULT_HUB_PORT = 5000;

/**
 * Resolves the hub's settings: flags over env over the config dir's .env and hub.json over defaults.
 * On first run (no hub.json) on a terminal it asks the seed's questions; without a terminal it asks
 * nothing, and a missing password is a ConfigError (exit 2). A JWT secret is generated when absent. A port
 * nothing could connect to (a "bad port") is a ConfigError. With https, the certificate is made or renewed in
 * the config dir (`say` tells what was made).
 */
export async function loadHubSettings(flags: HubFlags, context: SettingsContext): Promise<HubSettings> {
  const { env, say } = context;
  const configDir = resolveConfigDir(flags.configDir, env);
  const configPath = join(configDir, HUB_CONFIG_FILE);
  removeLeftoverTempFiles(configDir);
  const firstRun = new FirstRun(configDir, context, { otherwise: 'or run neck-hub once on a terminal to choose one' });
  const envPath = firstRun.envPath;
  // Without a terminal and without a password nothing can start: say so before writing anything.
  if (!firstRun.canAsk && firstRun.knownPassword() === undefined) await firstRun.sharedPassword('hub');

  let file = readConfigFile(configPath, HubConfigFile)?.value;
  if (file === undefined) {
    const created: HubConfigFile = { cors_origins: flags.cors ?? (await firstRun.text(QUESTIONS.corsOrigins, '*')) };
    const subdomain = flags.subdomain ?? (await firstRun.text(QUESTIONS.subdomain, ''));
    if (subdomain !== '') created.subdomain = subdomain;
    updateConfigFile(configPath, created);
    say(`saved ${configPath}`);
    file = created;
  }

  const shared = await firstRun.sharedPassword('hub');
  const sharedSecret = shared.password;
  if (shared.madeUp) say(`shared password: ${sharedSecret}  (shown once; saved in ${envPath})`);
  else if (shared.saved) say(`shared password saved in ${envPath}`);

  let jwtSecret = envValue('JWT_SECRET', env, readDotEnv(envPath));
  if (jwtSecret === undefined) {
    jwtSecret = randomJwtSecret();
    saveEnv(envPath, { JWT_SECRET: jwtSecret });
    say(`generated JWT_SECRET in ${envPath}`);
  } else if (Buffer.byteLength(jwtSecret) < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(
      `JWT_SECRET is ${Buffer.byteLength(jwtSecret)} bytes; it must be at least ${MIN_JWT_SECRET_BYTES}. ` +
        `Delete it from the environment and ${envPath} to have one generated, or set one from \`openssl rand -hex 32\``,
    );
  }

  const cors = flags.cors ?? file.cors_origins ?? '*';
  const port = flags.port ?? checkPort(file.port ?? DEFAULT_HUB_PORT, configPath);
  const https = flags.https ?? file.https ?? false;
  const certificate = https ? await servingCertificate(configDir, lanAddresses()) : undefined;
  for (const made of certificate?.made ?? []) say(`made ${join(configDir, made)}`);
  return new HubSettings({
    configDir,
    port,
    host: flags.host ?? file.host ?? '0.0.0.0',
    corsOrigins: parseCors(cors),
    redisUrl: flags.redis ?? file.redis_url,
    ...(certificate ? { https: certificate } : {}),
    auth: {
      sharedSecret,
      jwtSecret,
      tokenLifetimeSeconds: file.token_lifetime_seconds ?? 12 * 60 * 60,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      maxFailedLogins: file.max_failed_logins ?? 5,
      failedLoginWindowSeconds: file.failed_login_window_seconds ?? 900,
      maxFailedLoginsPerMinute: file.max_failed_logins_per_minute ?? 300,
      maxPairedDevices: flags.maxPairedDevices ?? file.max_paired_devices ?? DEFAULT_MAX_PAIRED_DEVICES,
    },
    socket: {
      maxPayloadBytes: file.max_payload_bytes ?? 16 * 1024,
      messagesPerSecond: file.messages_per_second ?? 300,
      handshakeTimeoutMs: file.handshake_timeout_ms ?? 3000,
      maxUnauthenticated: file.max_unauthenticated ?? 1000,
      maxSocketsPerUuid: flags.maxSocketsPerUuid ?? file.max_sockets_per_uuid ?? DEFAULT_MAX_SOCKETS_PER_UUID,
    },
    tunnel: {
      // The tunnel brings its own HTTPS and talks plain http to the hub: an HTTPS hub serves its network only.
      enabled: !https && flags.tunnel && file.tunnel !== false,
      subdomain: flags.subdomain ?? file.subdomain,
      host: flags.tunnelHost ?? file.tunnel_host,
      heartbeatIntervalMs: file.heartbeat_interval_ms ?? 60_000,
      heartbeatTimeoutMs: file.heartbeat_timeout_ms ?? 5_000,
      maxHeartbeatFailures: file.max_heartbeat_failures ?? 5,
      retryMinMs: file.tunnel_retry_min_ms ?? 5_000,
      retryMaxMs: file.tunnel_retry_max_ms ?? 300_000,
    },
  });
}

/** '*' or a comma-separated list of origins. */
export function parseCors(value: string): '*' | string[] {
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return origins.length === 0 || origins.includes('*') ? '*' : origins;
}

function readDotEnv(path: string): Record<string, string> {
  try {
    return readEnvFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function saveEnv(path: string, values: Record<string, string>): void {
  try {
    updateEnvFile(path, values);
  } catch (error) {
    throw new ConfigError(`cannot write ${path}: ${(error as Error).message}; pass --config-dir DIR`);
  }
}
