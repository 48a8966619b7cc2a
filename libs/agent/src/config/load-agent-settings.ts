import { join } from 'node:path';
import { HubClient } from '@neck-signal/hub-client';
import {
  asConfigError,
  deviceKeyFile,
  FirstRun,
  hubTrust,
  readConfigFile,
  removeLeftoverTempFiles,
  resolveConfigDir,
  SettingsContext,
  updateConfigFile,
} from '@neck-signal/program-kit';
import { AgentFlags } from './agent-flags';
import { DEFAULT_LEASE_MS } from '../control/control-lease';
import { DEFAULT_STALE_AFTER_MS } from '../control/freshness';
import { DEFAULT_FIRMWARE_TIMING } from '../firmware/firmware-session';
import { AGENT_CONFIG_FILE, AgentConfigFile } from './agent-config-file';
import { AgentSettings, DEFAULT_SERIAL_CANDIDATES } from './agent-settings';
import { DEFAULT_RECORDING_BUDGET_BYTES, RECORDINGS_DIR } from '../recording/recorder';
import { parseLimits } from './robot-limits';

/**
 * Flags over env over the config dir's .env and agent.json. On a terminal, missing values are asked for
 * (the seed's questions: shared password, hub URL, uuid — blank for random) and saved; without one, a
 * missing hub URL or password is a ConfigError (exit 2) naming the flag and the env var. A hub URL on a port
 * nothing can connect to (a "bad port") is a ConfigError too. A hub certificate to trust (NECK_HUB_CA,
 * `hub_ca`) is read and trusted for the hub's URL.
 */
export async function loadAgentSettings(flags: AgentFlags, context: SettingsContext): Promise<AgentSettings> {
  const configDir = resolveConfigDir(flags.configDir, context.env);
  const configPath = join(configDir, AGENT_CONFIG_FILE);
  removeLeftoverTempFiles(configDir);
  const firstRun = new FirstRun(configDir, context, { otherwise: 'or run neck-agent once on a terminal' });
  const saved: AgentConfigFile = { ...readConfigFile(configPath, AgentConfigFile)?.value };

  // A paired agent logs in with its device key: the password is only needed to pair.
  const knownUuid = flags.uuid ?? saved.uuid;
  const paired = knownUuid !== undefined && deviceKeyFile(configDir, 'agent', knownUuid).load() !== undefined;
  const password = paired ? firstRun.knownPassword() : (await firstRun.sharedPassword('peer')).password;
  const hub = await firstRun.hubUrl(flags.serverUrl, saved.server_url);
  const serverUrl = hub.url;
  const hubCa = firstRun.hubCa(flags.hubCa, saved.hub_ca, configPath);
  // The agent builds its client from the URL: the trust goes with the URL.
  if (hubCa) HubClient.trustHub(serverUrl, hubTrust(hubCa.pem));
  const uuid = await firstRun.uuid('agent', flags.uuid, saved.uuid);
  const answers: AgentConfigFile = {
    ...(hub.asked ? { server_url: serverUrl } : {}),
    ...(flags.uuid === undefined && saved.uuid === undefined ? { uuid: uuid.uuid } : {}),
  };
  if (Object.keys(answers).length > 0) {
    updateConfigFile(configPath, answers);
    context.say(
      uuid.madeUp
        ? `saved ${configPath}: this agent is ${uuid.uuid} on the hub (-u or neck setup agent to choose another)`
        : `saved ${configPath}`,
    );
    Object.assign(saved, answers);
  }

  return {
    configDir,
    serverUrl,
    ...(hubCa ? { hubCa } : {}),
    ...(password === undefined ? {} : { password }),
    uuid: uuid.uuid,
    deviceKeys: deviceKeyFile(configDir, 'agent', uuid.uuid),
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
    leaseMs: saved.control_lease_ms ?? DEFAULT_LEASE_MS,
    staleAfterMs: saved.stale_after_ms ?? DEFAULT_STALE_AFTER_MS,
    statusIntervalMs: saved.status_interval_ms ?? 10_000,
    loginRetryMs: saved.login_retry_ms ?? 3_000,
    recording: {
      enabled: (flags.record ?? saved.record ?? 'on') === 'on',
      dir: join(configDir, RECORDINGS_DIR),
      budgetBytes:
        saved.record_budget_mb === undefined ? DEFAULT_RECORDING_BUDGET_BYTES : saved.record_budget_mb * 1024 * 1024,
    },
  };
}
