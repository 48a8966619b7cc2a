import { join } from 'node:path';
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
import { UUID_PATTERN } from '@neck-signal/protocol';
import { AgentFlags } from './agent-flags';
import { DEFAULT_FIRMWARE_TIMING } from '../firmware/firmware-session';
import { AgentConfigFile, validateAgentConfigFile } from './agent-config-file';
import { AgentSettings, DEFAULT_SERIAL_CANDIDATES } from './agent-settings';
import { parseLimits } from './limits';

export const AGENT_CONFIG_FILE = 'agent.json';

/**
 * Flags over env over the config dir's .env and agent.json. On a terminal, missing values are asked for
 * (the seed's questions: shared password, hub URL, uuid — blank for random) and saved; without one, a
 * missing hub URL or password is a ConfigError (exit 2) naming the flag and the env var.
 */
export async function loadAgentSettings(flags: AgentFlags, context: SettingsContext): Promise<AgentSettings> {
  const { env, asker, say } = context;
  const configDir = resolveConfigDir(flags.configDir, env);
  const configPath = join(configDir, AGENT_CONFIG_FILE);
  const envPath = join(configDir, '.env');
  const file = asConfigError(() => {
    const raw = readJsonFile(configPath);
    return raw === undefined ? undefined : validateAgentConfigFile(configPath, raw);
  });
  const saved: AgentConfigFile = { ...file };
  const dotEnv = asConfigError(() => readEnvFile(envPath));

  let password = envValue('PEER_SHARED_SECRET', env, dotEnv);
  if (password === undefined && asker) {
    password = await asker.secret('Shared password (must match the hub)');
    if (password !== '') asConfigError(() => updateEnvFile(envPath, { PEER_SHARED_SECRET: password ?? '' }));
  }
  if (!password) {
    throw new ConfigError(
      `no shared password: set PEER_SHARED_SECRET in the environment or in ${envPath} (or run neck-agent once on a terminal)`,
    );
  }

  let serverUrl = flags.serverUrl ?? envValue('NECK_HUB_URL', env, dotEnv) ?? saved.server_url;
  if (serverUrl === undefined && asker) {
    serverUrl = (await asker.text('Hub URL (printed by the hub, e.g. https://neck-signal.loca.lt)')).trim();
    if (serverUrl !== '') saved.server_url = serverUrl;
  }
  if (!serverUrl) {
    throw new ConfigError('no hub URL: pass -s/--server-url URL or set NECK_HUB_URL');
  }
  if (!/^https?:\/\//.test(serverUrl))
    throw new ConfigError(`hub URL ${serverUrl} must start with http:// or https://`);

  let uuid = flags.uuid ?? saved.uuid;
  if (uuid === undefined) {
    const answer = asker ? (await asker.text('UUID for this agent (blank for a random one)', '')).trim() : '';
    uuid = answer === '' ? randomUuid() : answer;
    saved.uuid = uuid;
  }
  if (!UUID_PATTERN.test(uuid) || uuid.length > 64) {
    throw new ConfigError(`uuid ${JSON.stringify(uuid)} may hold letters, digits and _ . : - only (at most 64)`);
  }

  if (JSON.stringify(saved) !== JSON.stringify(file ?? {})) {
    asConfigError(() => writeJsonFile(configPath, { ...(readJsonFile(configPath) ?? {}), ...saved }));
    say(`saved ${configPath}`);
  }

  return {
    configDir,
    serverUrl: serverUrl.replace(/\/+$/, ''),
    password,
    uuid,
    serial: {
      path: flags.serial ?? saved.serial,
      baudRate: flags.baud ?? saved.baud ?? 115_200,
      simulate: flags.simulate ?? saved.simulate ?? false,
      candidates: saved.serial_candidates ?? DEFAULT_SERIAL_CANDIDATES,
      retryMs: saved.serial_retry_ms ?? 1_000,
      probeTimeoutMs: saved.probe_timeout_ms ?? 8_000,
      bootQuietMs: saved.firmware_boot_ms ?? DEFAULT_FIRMWARE_TIMING.bootQuietMs,
    },
    limits: asConfigError(() => parseLimits(configPath, saved.limits)),
    firmware: {
      bootQuietMs: saved.firmware_boot_ms ?? DEFAULT_FIRMWARE_TIMING.bootQuietMs,
      answerMarginMs: saved.firmware_answer_margin_ms ?? DEFAULT_FIRMWARE_TIMING.answerMarginMs,
      legacyMarginMs: saved.firmware_legacy_margin_ms ?? DEFAULT_FIRMWARE_TIMING.legacyMarginMs,
    },
    statusIntervalMs: saved.status_interval_ms ?? 10_000,
    loginRetryMs: saved.login_retry_ms ?? 3_000,
  };
}
