import { Command, Help, Option } from 'nest-commander';
import { HubClient, LoginError } from '@neck-signal/hub-client';
import { DevicesDto, HubPaths, RevokedDto, validatePayload } from '@neck-signal/protocol';
import type { ClassConstructor } from 'class-transformer';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CliOutput } from '../common/cli-output';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ReportCommandRunner, ReportFlags } from '../common/hub-command';
import { CliSettings, loadCliSettings } from '../config/cli-settings';

export interface DevicesFlags extends ReportFlags {
  all?: boolean;
  revokeAll?: boolean;
}

/**
 * `neck devices`: the devices paired with the hub (each got a device key when it first logged in with the
 * password); `neck devices revoke UUID` revokes one — its keys stop working and its connections are dropped at
 * once, on every hub — and `neck devices revoke --all` every one.
 */
@Command({
  name: 'devices',
  arguments: '[action] [uuid]',
  description:
    'list the devices paired with the hub; revoke UUID (or --all) ends their keys and drops their connections',
  argsDescription: { action: 'revoke (default: list)', uuid: 'the device to revoke' },
})
export class DevicesCommand extends ReportCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  @Option({ flags: '--all', description: 'with revoke: every device (then every device pairs again)' })
  parseAll(): boolean {
    return true;
  }

  @Option({ flags: '--revoke-all', description: 'the same as `revoke --all`' })
  parseRevokeAll(): boolean {
    return true;
  }

  @Help('after')
  examples(): string {
    return `
A device pairs the first time it logs in with the shared password: the hub gives it a key, which it keeps in
its config dir (device-keys.json, mode 0600) and logs in with from then on. Changing the shared password does
not end the keys; revoke them.

Examples:
  neck devices
  neck devices revoke lab-laptop
  neck devices revoke --all      (or: neck devices --revoke-all)`;
  }

  async run(args: string[], flags: DevicesFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      if (flags.revokeAll && args.length > 0) {
        throw new CommandFailure('neck devices --revoke-all takes no arguments', ExitCode.Usage);
      }
      const [action, uuid] = flags.revokeAll ? ['revoke'] : args;
      const all = flags.all === true || flags.revokeAll === true;
      if (action !== undefined && action !== 'revoke') {
        throw new CommandFailure(`neck devices ${action}: the action is revoke (or nothing, to list)`, ExitCode.Usage);
      }
      if (action === 'revoke' && (uuid === undefined) === !all) {
        throw new CommandFailure('neck devices revoke: give a device uuid, or --all', ExitCode.Usage);
      }
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (action === 'revoke') {
        const path = uuid === undefined ? HubPaths.Devices : `${HubPaths.Devices}/${encodeURIComponent(uuid)}`;
        const revoked = await call(settings, 'DELETE', path, RevokedDto, timeoutMs);
        if (flags.json) this.output.line(JSON.stringify(revoked));
        else {
          this.output.line(
            `revoked ${uuid ?? 'every device'}: ${revoked.keys} key${revoked.keys === 1 ? '' : 's'}, ` +
              `${revoked.sockets} connection${revoked.sockets === 1 ? '' : 's'} dropped`,
          );
        }
        return;
      }
      const { devices } = await call(settings, 'GET', HubPaths.Devices, DevicesDto, timeoutMs);
      if (flags.json) {
        this.output.line(JSON.stringify(devices, null, 2));
        return;
      }
      if (devices.length === 0) this.output.line('no device is paired');
      for (const device of devices) {
        this.output.line(
          `${device.uuid} (${device.role})  ${device.keys} key${device.keys === 1 ? '' : 's'}, paired ${device.pairedAt}, ` +
            `last login ${device.lastUsedAt ?? 'never'}`,
        );
      }
    });
  }
}

/** Logs in (device key or password) and calls the hub's devices API; its answer is checked with its DTO. */
async function call<T extends object>(
  settings: CliSettings,
  method: 'GET' | 'DELETE',
  path: string,
  dto: ClassConstructor<T>,
  timeoutMs: number,
): Promise<T> {
  const client = new HubClient({
    url: settings.serverUrl,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    deviceKeys: settings.deviceKeys,
    uuid: settings.uuid,
    role: 'ui',
    loginTimeoutMs: timeoutMs,
  });
  let token: string;
  try {
    token = (await client.login()).token;
  } catch (error) {
    if (error instanceof LoginError && error.reason === 'unreachable')
      throw new CommandFailure(error.message, ExitCode.NoAnswer);
    throw new CommandFailure(error instanceof Error ? error.message : String(error), ExitCode.Usage);
  } finally {
    await client.close();
  }
  let response: Response;
  try {
    response = await settings.fetch(`${settings.serverUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'bypass-tunnel-reminder': 'neck-signal',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CommandFailure(
      `the hub at ${settings.serverUrl} is unreachable (${(error as Error).message})`,
      ExitCode.NoAnswer,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  const checked = validatePayload(dto, body);
  if (!response.ok || !checked.ok) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : '';
    throw new CommandFailure(
      `${method} ${path} answered ${response.status}${message ? `: ${message}` : checked.ok ? '' : ` (${checked.message})`}`,
      ExitCode.Rejected,
    );
  }
  return checked.value;
}
