import { HubClient, LoginError } from '@neck-signal/hub-client';
import { formatSeconds, Role } from '@neck-signal/protocol';
import { CommandFailure, ExitCode } from '../common/command-failure';
import { CliSettings } from '../config/cli-settings';

export interface ConnectOptions {
  /** 'ui' sends commands; 'observer' only looks (peers, status). */
  role: Role;
  /** Give up after this many ms (exit 3); keep trying for ever when absent, as the seed's REPL does. */
  timeoutMs?: number;
  /** Told why each failed login will be retried. */
  onRetry?: (message: string) => void;
  /** Default wait for a command's ack, ms. */
  ackTimeoutMs?: number;
  /** Delay between login attempts, ms. Default 3000 (the hub client's). */
  retryIntervalMs?: number;
  /** Called with the client before it connects, to subscribe to events (existing-peers arrives while connecting). */
  prepare?: (client: HubClient) => void;
}

/**
 * Logs in (polling /login until the hub answers) and connects; resolves once the peer list has arrived.
 * A wrong password, or an answer that is not a hub's, ends at once (exit 2): retrying would only lock
 * everyone out (the hub limits failed logins across all peers). Running out of time is exit 3.
 */
export async function connectToHub(settings: CliSettings, options: ConnectOptions): Promise<HubClient> {
  const client = new HubClient({
    url: settings.serverUrl,
    ...(settings.password === undefined ? {} : { password: settings.password }),
    deviceKeys: settings.deviceKeys,
    uuid: settings.uuid,
    role: options.role,
    // The cli is an operator's tool: paired as ui, its key also serves the commands that only watch.
    pairRole: 'ui',
    ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
  });
  options.prepare?.(client);
  let fatal: LoginError | undefined;
  let lastProblem: string | undefined;
  client.onLifecycle('login-retry', (info) => {
    lastProblem = info.error.message;
    if (info.reason === 'wrong-password' || info.reason === 'key-refused' || info.reason === 'rejected') {
      fatal = info.error;
      void client.close();
      return;
    }
    options.onRetry?.(info.message);
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  try {
    const outcome = await Promise.race([client.connect().then(() => 'connected' as const), timedOut]);
    if (outcome === 'connected') return client;
    await client.close();
    throw new CommandFailure(
      `no answer from the hub at ${settings.serverUrl} within ${formatSeconds(options.timeoutMs ?? 0)}` +
        (lastProblem ? ` (${lastProblem})` : ''),
      ExitCode.NoAnswer,
    );
  } catch (error) {
    await client.close();
    if (fatal) {
      const hint =
        fatal.reason === 'wrong-password' || fatal.reason === 'key-refused'
          ? `fix PEER_SHARED_SECRET (environment or ${settings.configDir}/.env) or run \`neck setup cli\``
          : 'check the hub URL (-s, NECK_HUB_URL or `neck setup cli`)';
      throw new CommandFailure(`${fatal.message}; ${hint}`, ExitCode.Usage);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
