import { Command } from 'nest-commander';
import { formatSeconds, HubHealthDto, HubPaths, PeerInfoDto, validatePayload } from '@neck-signal/protocol';
import { CliOutput } from '../common/cli-output';
import { CliAsker } from '../common/cli-asker';
import { CliContext } from '../common/cli-context';
import { CommandFailure, ExitCode, reportFailures } from '../common/command-failure';
import { DEFAULT_TIMEOUT_MS, ONE_SHOT_RETRY_MS, ReportCommandRunner, ReportFlags } from '../common/hub-command';
import { CliSettings, loadCliSettings } from '../config/cli-settings';
import { connectToHub } from '../hub/connect';
import { describeNeckStatus, describePeer } from '../hub/format';

export type StatusFlags = ReportFlags;

/** `neck status`: the hub's health (GET /), each neck's serial state and pose, and the peers. */
@Command({
  name: 'status',
  description: "show the hub's health, each neck's serial state, pose and firmware, and the connected peers",
})
export class StatusCommand extends ReportCommandRunner {
  constructor(
    private readonly output: CliOutput,
    private readonly context: CliContext,
    private readonly asker: CliAsker,
  ) {
    super();
  }

  async run(_args: string[], flags: StatusFlags = {}): Promise<void> {
    await reportFailures(this.output, async () => {
      const settings = await loadCliSettings(
        flags,
        this.context.settingsContext(this.asker, (message) => this.output.error(message)),
      );
      const timeoutMs = flags.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const health = await fetchHealth(settings, timeoutMs);
      const client = await connectToHub(settings, {
        role: 'observer',
        timeoutMs,
        retryIntervalMs: ONE_SHOT_RETRY_MS,
      });
      const peers = client.peers();
      await client.close();
      if (flags.json) {
        this.output.line(JSON.stringify({ health, peers }, null, 2));
        return;
      }
      for (const line of describeHealth(settings.serverUrl, health, peers, settings.uuid)) this.output.line(line);
    });
  }
}

/** GET / on the hub as JSON; exit 3 when it does not answer in time, 1 when the answer is not a hub's health. */
export async function fetchHealth(settings: CliSettings, timeoutMs: number): Promise<HubHealthDto> {
  let response: Response;
  let body: unknown;
  try {
    response = await settings.fetch(`${settings.serverUrl}${HubPaths.Health}`, {
      headers: { accept: 'application/json', 'bypass-tunnel-reminder': 'neck-signal' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    const cause =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${formatSeconds(timeoutMs)}`
        : causeOf(error);
    throw new CommandFailure(`the hub at ${settings.serverUrl} is unreachable (${cause})`, ExitCode.NoAnswer);
  }
  const health = validatePayload(HubHealthDto, body);
  if (!response.ok || !health.ok) {
    throw new CommandFailure(
      `${settings.serverUrl}${HubPaths.Health} answered ${response.status} without a hub's health${
        health.ok ? '' : ` (${health.message})`
      }; is the URL a neck-signal hub?`,
      ExitCode.Rejected,
    );
  }
  return health.value;
}

/** The lines of `neck status`. */
export function describeHealth(url: string, health: HubHealthDto, peers: PeerInfoDto[], me?: string): string[] {
  const tunnel =
    health.tunnel.state === 'open'
      ? `tunnel open at ${health.tunnel.url ?? '?'}`
      : health.tunnel.state === 'down'
        ? `tunnel down${health.tunnel.lastError ? ` (${health.tunnel.lastError})` : ''}`
        : `tunnel ${health.tunnel.state}`;
  const lines = [
    `hub ${url}: ${health.status}, version ${health.version}, up ${health.uptimeSeconds} s, ${health.peers} peer${
      health.peers === 1 ? '' : 's'
    }, ${tunnel}`,
  ];
  const quiet = health.quietNecks ?? [];
  if (health.necks.length === 0 && quiet.length === 0) lines.push('no neck is connected; start neck-agent');
  for (const neck of health.necks) lines.push(...describeNeckStatus(neck, me));
  for (const neck of quiet) lines.push(`neck ${neck.uuid} (sid ${neck.id}): reports no status (an original agent)`);
  lines.push(
    peers.length === 0 ? 'peers: none besides us' : `peers: ${peers.map((peer) => describePeer(peer, me)).join(', ')}`,
  );
  return lines;
}

/** Node's code for a failed fetch (ECONNREFUSED, ENOTFOUND…), else its message; duck-typed (jest runs other realms). */
function causeOf(error: unknown): string {
  const cause = property(error, 'cause');
  const code = property(cause, 'code');
  if (typeof code === 'string') return code;
  const message = property(cause, 'message') ?? property(error, 'message');
  return typeof message === 'string' ? message : String(error);
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
